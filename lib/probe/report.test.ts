import { describe, expect, it } from "vitest";
import { failedReport } from "../../test/helpers/reports.ts";
import { parseProbeOutput, SSM_ERROR_SEPARATOR } from "./report.ts";

const LINE = JSON.stringify(failedReport());

describe("parseProbeOutput", () => {
  it("reads the raw line", () => {
    const r = parseProbeOutput(`${LINE}\n`);
    expect(r).toMatchObject({ ok: true, truncated: false });
    if (r.ok) expect(r.report).toEqual(failedReport());
  });

  it("reads SSM's shape: stdout, the ERROR separator and stderr", () => {
    const r = parseProbeOutput(`${LINE}\n${SSM_ERROR_SEPARATOR}bash: warning: setlocale: LC_ALL: cannot change locale`);
    expect(r).toMatchObject({ ok: true, stderr: "bash: warning: setlocale: LC_ALL: cannot change locale" });
  });

  it("skips noise before the JSON, on earlier lines and on the same line", () => {
    expect(parseProbeOutput(`Last login: yesterday\nmotd {not json}\n${LINE}`).ok).toBe(true);
    expect(parseProbeOutput(`sh: 1: noise${LINE}`).ok).toBe(true);
    expect(parseProbeOutput(`\r\n${LINE}\r\n`).ok).toBe(true);
  });

  it("says the output was truncated when the marker cuts the JSON", () => {
    const out = `${LINE.slice(0, 1200)}\n---Output truncated---`;
    const r = parseProbeOutput(out);
    expect(r).toMatchObject({ ok: false, truncated: true });
    if (!r.ok) expect(r.error).toContain("truncated");
  });

  it("accepts a complete report followed by a truncated stderr", () => {
    const r = parseProbeOutput(`${LINE}\n${SSM_ERROR_SEPARATOR}${"e".repeat(100)}\n---Error truncated----`);
    expect(r).toMatchObject({ ok: true, truncated: true });
  });

  it.each([
    ["empty", "", "printed nothing"],
    ["only stderr", `${SSM_ERROR_SEPARATOR}bash: curl: command not found`, "nothing on stdout"],
    ["no JSON", "hello world", "no probe report"],
    ["not JSON", '{"schema":1,', "not valid JSON"],
    ["wrong schema", '{"schema":2}', "invalid at schema"],
    ["missing fields", '{"schema":1,"at":"x"}', "invalid at"],
    ["wrong type", LINE.replace('"lcCode":404', '"lcCode":"four"'), "imds.lcCode"],
    ["array", "[1,2,3]", "no probe report"],
  ])("fails with a reason on %s", (_name, input, reason) => {
    const r = parseProbeOutput(input);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error).toContain(reason);
      expect(r.error.length).toBeLessThanOrEqual(300);
    }
  });

  it("never throws on hostile input", () => {
    const hostile: unknown[] = [
      null,
      undefined,
      42,
      {},
      "\u0000".repeat(1000),
      `{"schema":${"[".repeat(100_000)}`,
      `{"schema":1,"__proto__":{"polluted":true}}`,
      "x".repeat(5_000_000),
      `${LINE.replace('"instanceId":"i-0abc123def4567890"', `"instanceId":"${"i".repeat(10_000)}"`)}`,
      "\ud800\udfff\uffff",
      LINE.replace('"text":"level', '"text":"\\u0000\\u001b[31m<script>'),
    ];
    for (const h of hostile) {
      const r = parseProbeOutput(h as string);
      expect(typeof r.ok).toBe("boolean");
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("caps strings from the instance (schema maxima)", () => {
    const r = parseProbeOutput(
      LINE.replace('"ecsInit":"ecs-init-1.89.3-1.amzn2023.x86_64"', `"ecsInit":"${"a".repeat(500)}"`),
    );
    expect(r.ok).toBe(false);
  });
});
