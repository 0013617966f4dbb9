import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SSM_ERROR_SEPARATOR } from "../../lib/probe/report.ts";
import { failedReport, healthyReport, withImds } from "../../test/helpers/reports.ts";

const BIN = new URL("../fleet-doctor.mjs", import.meta.url).pathname;
const dir = mkdtempSync(path.join(tmpdir(), "fd-diagnose-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string): string {
  const p = path.join(dir, name);
  writeFileSync(p, content);
  return p;
}

function cli(args: string[], stdin?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, "diagnose", ...args], { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (b: Buffer) => (stdout += b.toString()));
    child.stderr.on("data", (b: Buffer) => (stderr += b.toString()));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin ?? "");
  });
}

const ready = JSON.stringify(withImds(failedReport(), 200, "InService"));

describe("fleet-doctor diagnose", () => {
  it("prints a readable block for a raw probe line and exits 1 (needs attention)", async () => {
    const r = await cli([file("ready.json", `${ready}\n`)]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("Verdict:  lifecycle-404:ready");
    expect(r.stdout).toContain("Restart will work: yes");
    expect(r.stdout).toContain("source: /var/log/ecs/ecs-agent.log:14 (2025-02-04T07:02:21Z)");
    expect(r.stdout).toContain("$ sudo systemctl restart ecs");
    expect(r.stderr).toBe("");
  });

  it("reads SSM's output shape from stdin with -, and prints JSON with --json", async () => {
    const r = await cli(["-", "--json"], `noise\n${ready}\n${SSM_ERROR_SEPARATOR}some stderr`);
    expect(r.code).toBe(1);
    const d = JSON.parse(r.stdout);
    expect(d.verdict).toBe("lifecycle-404:ready");
    expect(d.restartWillWork).toBe(true);
    expect(typeof d.summary).toBe("string");
    expect(d.evidence[0].source).toMatchObject({ kind: "log", line: 14 });
    expect(d.remedies[0]).toMatchObject({ id: "restart", command: "sudo systemctl restart ecs" });
  });

  it("exits 0 for a healthy instance", async () => {
    const r = await cli([file("healthy.json", JSON.stringify(healthyReport()))]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Verdict:  healthy");
  });

  it("takes membership from --group and --lifecycle", async () => {
    const r = await cli([
      file("blocked.json", JSON.stringify(failedReport())),
      "--json",
      "--group",
      "web",
      "--lifecycle",
      "InService",
    ]);
    const d = JSON.parse(r.stdout);
    expect(d.verdict).toBe("lifecycle-404:blocked");
    expect(
      d.evidence.some(
        (e: { value: string; source: { kind: string } }) => e.source.kind === "api" && e.value === "InService",
      ),
    ).toBe(true);
  });

  it.each([
    ["not a report", ["--json"], "hello"],
    ["truncated", [], ready.slice(0, 500)],
    ["empty", [], ""],
  ])("bad input (%s) gives a message on stderr and exit 2", async (_n, args, input) => {
    const r = await cli(["-", ...args], input);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("not a valid probe output");
  });

  it("a missing file, two files, or --group alone exit 2", async () => {
    expect((await cli([path.join(dir, "nope.json")])).code).toBe(2);
    expect((await cli(["a", "b"])).code).toBe(2);
    expect((await cli([file("x.json", ready), "--group", "web"])).code).toBe(2);
    expect((await cli(["--bogus"])).code).toBe(2);
  });

  it("does not pass terminal escape codes from the instance through", async () => {
    const r = failedReport();
    r.logs.lifecycle!.text =
      "\u001b]0;pwned\u0007\u001b[2J Could not determine target lifecycle of instance: StatusCode: 404";
    const out = await cli([file("esc.json", JSON.stringify(withImds(r, 200, "InService")))]);
    expect(out.stdout).not.toContain("\u001b");
    expect(out.stdout).toContain("?]0;pwned?");
  });
});
