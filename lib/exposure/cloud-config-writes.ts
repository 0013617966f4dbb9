import { gunzipSync } from "node:zlib";
import { isMap, isScalar, isSeq, type Node, parseDocument, type Scalar } from "yaml";
import { type ConfigWrite, ECS_CONFIG_PATH, type Origin } from "./ecs-config.ts";
import { type LineAt, shellWrites } from "./shell-writes.ts";

/** A cloud-config's ecs.config writes by the cloud-init stage they run in (bootcmd, write_files, runcmd). */
export type CloudConfigWrites = {
  /** Which of the three keys this part sets: a later cloud-config part's list replaces an earlier one's. */
  has: { bootcmd: boolean; writeFiles: boolean; runcmd: boolean };
  bootcmd: ConfigWrite[];
  writeFiles: ConfigWrite[];
  /** `defer: true` entries run in the final stage, before the scripts. */
  deferred: ConfigWrite[];
  runcmd: ConfigWrite[];
  /** The YAML itself could not be read. */
  error?: string;
};

/** 0-based line starts of a text, to turn offsets into line numbers and lines into spans. */
export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  return starts;
}

function lineOf(starts: number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

function decodeContent(content: string, encoding: string): { text: string; encoding?: "b64" | "gzip+b64" } {
  const e = encoding.toLowerCase();
  if (["b64", "base64"].includes(e)) return { text: Buffer.from(content, "base64").toString("utf8"), encoding: "b64" };
  if (["gz+b64", "gzip+base64", "gz+base64", "gzip+b64"].includes(e)) {
    return { text: gunzipSync(Buffer.from(content, "base64")).toString("utf8"), encoding: "gzip+b64" };
  }
  if (["gz", "gzip"].includes(e)) throw new Error("gzip content without base64 cannot be carried in YAML text");
  return { text: content };
}

export function cloudConfigWrites(text: string, leafId: string, partPrefix: string): CloudConfigWrites {
  const out: CloudConfigWrites = {
    has: { bootcmd: false, writeFiles: false, runcmd: false },
    bootcmd: [],
    writeFiles: [],
    deferred: [],
    runcmd: [],
  };
  const doc = parseDocument(text, { uniqueKeys: false });
  if (doc.errors.length > 0) return { ...out, error: `cloud-config is not valid YAML: ${doc.errors[0]!.message}` };
  const starts = lineStarts(text);
  const spanOfLine = (n: number) => ({ kind: "text" as const, start: starts[n]!, end: starts[n + 1] ?? text.length });
  const sourceOfLine = (n: number) => text.slice(starts[n]!, starts[n + 1] ?? text.length).replace(/\r?\n$/, "");
  const part = (section: string) => (partPrefix ? `${partPrefix} ${section}` : section);

  /** Where line i of a scalar's value is: its own line in a literal block, else the scalar's first line. */
  const scalarAt =
    (node: Scalar, section: string): LineAt =>
    (i) => {
      const [start, end] = node.range!;
      const first = lineOf(starts, start);
      if (node.type === "BLOCK_LITERAL") {
        const n = first + 1 + i;
        return { leafId, part: part(section), lineNumber: n + 1, edit: spanOfLine(n) };
      }
      return { leafId, part: part(section), lineNumber: first + 1, edit: { kind: "text", start, end } };
    };

  const commands = (key: "bootcmd" | "runcmd", target: ConfigWrite[]) => {
    const seq = doc.get(key, true) as Node | undefined;
    if (seq === undefined) return;
    out.has[key] = true;
    if (!isSeq(seq)) return;
    for (const item of seq.items) {
      if (isScalar(item) && typeof item.value === "string") {
        target.push(...shellWrites(item.value, scalarAt(item, `cloud-config ${key}`)));
      } else if (isSeq(item)) {
        // The list form runs without a shell (`sh -c SCRIPT` aside): quote each word so that the reader sees argv.
        const argv = item.items.map((w) => (isScalar(w) ? String(w.value) : ""));
        const [start, end] = item.range!;
        const at: LineAt = () => ({
          leafId,
          part: part(`cloud-config ${key}`),
          lineNumber: lineOf(starts, start) + 1,
          edit: { kind: "text", start, end },
        });
        const script =
          /^(\/bin\/|\/usr\/bin\/)?(ba)?sh$/.test(argv[0] ?? "") && argv[1] === "-c"
            ? argv[2]!
            : argv.map((w) => `'${w.replace(/'/g, `'\\''`)}'`).join(" ");
        target.push(...shellWrites(script, at));
      }
    }
  };
  commands("bootcmd", out.bootcmd);
  commands("runcmd", out.runcmd);

  const files = doc.get("write_files", true) as Node | undefined;
  if (files !== undefined) out.has.writeFiles = true;
  if (isSeq(files)) {
    for (const entry of files.items) {
      if (!isMap(entry)) continue;
      if (String(entry.get("path") ?? "").trim() !== ECS_CONFIG_PATH) continue;
      const append = entry.get("append") === true;
      const defer = entry.get("defer") === true;
      const node = entry.get("content", true) as Scalar | undefined;
      const target = defer ? out.deferred : out.writeFiles;
      const section = "cloud-config write_files";
      const entryLine = lineOf(starts, entry.range![0]);
      const fallback: Origin = {
        leafId,
        part: part(section),
        lineNumber: entryLine + 1,
        source: sourceOfLine(entryLine),
        edit: { kind: "text", start: entry.range![0], end: entry.range![1] },
      };
      if (node === undefined) {
        target.push({ op: "write", append, content: "", origin: fallback });
        continue;
      }
      if (!isScalar(node) || typeof node.value !== "string") {
        target.push({ op: "unreadable", why: "write_files content is not text", origin: fallback });
        continue;
      }
      let decoded: ReturnType<typeof decodeContent>;
      try {
        decoded = decodeContent(node.value, String(entry.get("encoding") ?? "text/plain"));
      } catch (e) {
        target.push({ op: "unreadable", why: `write_files content: ${(e as Error).message}`, origin: fallback });
        continue;
      }
      const at = scalarAt(node, section);
      const contentLines = decoded.text.split("\n");
      let lineOrigins: Origin[];
      if (decoded.encoding) {
        const [start, end] = node.range!;
        const quote = node.type === "QUOTE_DOUBLE" ? '"' : node.type === "QUOTE_SINGLE" ? "'" : "";
        const enc = decoded.encoding;
        lineOrigins = contentLines.map((l) => ({
          ...at(0),
          source: l.slice(0, 300),
          edit: { kind: "encoded", start, end, encoding: enc, quote },
        }));
      } else {
        lineOrigins = contentLines.map((l, i) => ({ ...at(i), source: l.slice(0, 300) }));
      }
      target.push({ op: "write", append, content: decoded.text, origin: lineOrigins[0] ?? fallback, lineOrigins });
    }
  }
  return out;
}
