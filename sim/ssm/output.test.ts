import { describe, expect, it } from "vitest";
import { MAX_PLUGIN_OUTPUT, pluginOutput, readPrefix, standardErrorContent, standardOutputContent } from "./output.ts";

// The agent's own table (iohandler_test.go) at capacity 100, so our port is checked against its author's cases.
const line =
  "This is a sample text. This is a sample text. This is a sample text. This is a sample text. This is a sample text.";
const long = `${Array(10).fill(line).join("\n")}\n1234567890. This is a sample text. This is a sample text`;

describe("pluginOutput (agent TruncateOutput)", () => {
  it.each([
    ["", "", ""],
    ["sample output", "", "sample output"],
    ["", "sample error", "\n----------ERROR-------\nsample error"],
    ["sample output", "sample error", "sample output\n----------ERROR-------\nsample error"],
    [long, "", "This is a sample text. This is a sample text. This is a sample text. This is \n---Output truncated---"],
    [
      "",
      long,
      "\n----------ERROR-------\nThis is a sample text. This is a sample text. This is\n---Error truncated----",
    ],
    [
      long,
      long,
      "This is a sampl\n---Output truncated---\n----------ERROR-------\nThis is a sampl\n---Error truncated----",
    ],
  ])("capacity 100: %#", (stdout, stderr, expected) => {
    expect(pluginOutput(stdout, stderr, 100)).toBe(expected);
  });

  it("keeps a short stdout whole and cuts a long stderr at the real capacity", () => {
    const out = pluginOutput("hi\n", "e".repeat(5000));
    expect(out.startsWith("hi\n\n----------ERROR-------\neee")).toBe(true);
    expect(out.endsWith("\n---Error truncated----")).toBe(true);
    expect(Buffer.byteLength(out)).toBe(MAX_PLUGIN_OUTPUT);
  });

  it("cuts stdout of exactly the capacity (the agent compares with <)", () => {
    const out = pluginOutput("x".repeat(MAX_PLUGIN_OUTPUT), "");
    expect(out).toBe(`${"x".repeat(MAX_PLUGIN_OUTPUT - 23)}\n---Output truncated---`);
    expect(pluginOutput("x".repeat(MAX_PLUGIN_OUTPUT - 1), "")).toBe("x".repeat(MAX_PLUGIN_OUTPUT - 1));
  });

  it("keeps a short stderr whole and cuts stdout", () => {
    const out = pluginOutput("o".repeat(4000), "boom");
    expect(out.endsWith("\n---Output truncated---\n----------ERROR-------\nboom")).toBe(true);
    expect(Buffer.byteLength(out)).toBe(MAX_PLUGIN_OUTPUT);
  });

  it("counts bytes, not characters (a cut inside a character becomes U+FFFD, as Go's JSON encoder does)", () => {
    const out = pluginOutput("é".repeat(2000), "");
    expect(out.endsWith("\n---Output truncated---")).toBe(true);
    expect(out.length).toBeLessThan(1300);
    expect(out).toContain("\ufffd");
  });
});

describe("readPrefix (GetCommandInvocation caps)", () => {
  it("leaves shorter output alone and caps longer output with the suffix", () => {
    expect(readPrefix("abc", 10)).toBe("abc");
    expect(readPrefix("a".repeat(30), 25)).toBe("aaaaa--output truncated--");
    expect(standardOutputContent("x".repeat(30000))).toHaveLength(24000);
    expect(standardErrorContent("x".repeat(9000))).toHaveLength(8000);
    expect(standardOutputContent("x".repeat(23999))).toBe("x".repeat(23999));
  });
});
