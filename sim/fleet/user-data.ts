/**
 * What cloud-init leaves in ecs.config when an instance boots with a launch template's user data: base64 (as EC2
 * hands it over), gzip, MIME multipart (text/x-shellscript and text/cloud-config parts), cloud-config `bootcmd`,
 * `write_files` (path, content, encoding, append) and `runcmd`, and shell lines that write the file (`echo`/`printf`
 * with `>`/`>>`, `cat`/`tee` with heredocs, `| tee -a`). The files then hold exactly the bytes written (quotes,
 * comments, CRLF), so the agent model reads them as ecs-init would (ecs-config.ts).
 *
 * Written for the simulator alone (sim/ never imports lib/): it plays the instance, the app reads the user data on
 * its own. Shell is emulated, not run: no variable expansion (a `$VAR` stays literal), no command substitution,
 * other commands ignored.
 */
import { gunzipSync, gzipSync } from "node:zlib";
import { parse as parseYaml } from "yaml";

export const ETC_ECS_CONFIG = "/etc/ecs/ecs.config";
export const VAR_LIB_ECS_CONFIG = "/var/lib/ecs/ecs.config";

/** The files a boot wrote (path -> content), in the order cloud-init runs things. */
export type BootFiles = Map<string, string>;

/** Decodes EC2's base64 user data to bytes, then gunzips when it is gzip (cloud-init does both). */
export function decodeUserData(base64: string | undefined): string {
  if (!base64) return "";
  let bytes = Buffer.from(base64.replace(/\s+/g, ""), "base64");
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch {
      return "";
    }
  }
  return bytes.toString("utf8");
}

type Part = { type: string; body: string; filename: string };

/** Splits MIME multipart user data into its parts (nested multiparts flattened); anything else is one part. */
function parts(text: string, index = { n: 0 }): Part[] {
  const head = /^([\s\S]*?)\r?\n\r?\n([\s\S]*)$/.exec(text);
  const isMime = /^(content-type|mime-version):/im.test(text.split(/\r?\n/, 1)[0] ?? "") && head;
  if (!isMime) return [{ type: sniff(text), body: text, filename: `part-${String(++index.n).padStart(3, "0")}` }];
  const headers = head[1]!;
  const body = head[2]!;
  const type = /^content-type:\s*([^;\r\n]+)/im.exec(headers)?.[1]?.trim().toLowerCase() ?? "text/plain";
  if (type.startsWith("multipart/")) {
    const boundary = /boundary="?([^";\r\n]+)"?/i.exec(headers)?.[1];
    if (!boundary) return [];
    const out: Part[] = [];
    const chunks = body.split(`--${boundary}`);
    for (const chunk of chunks.slice(1)) {
      if (chunk.startsWith("--")) break;
      out.push(...parts(chunk.replace(/^\r?\n/, ""), index));
    }
    return out;
  }
  const encoding = /^content-transfer-encoding:\s*(\S+)/im.exec(headers)?.[1]?.toLowerCase();
  let content = body.replace(/\r?\n$/, "");
  if (encoding === "base64") content = Buffer.from(content.replace(/\s+/g, ""), "base64").toString("utf8");
  const filename = /filename="?([^";\r\n]+)"?/i.exec(headers)?.[1] ?? `part-${String(++index.n).padStart(3, "0")}`;
  return [{ type: type === "text/plain" ? sniff(content) : type, body: content, filename }];
}

/** cloud-init's types by first line: `#!` is a script, `#cloud-config` a cloud-config. */
function sniff(text: string): string {
  if (text.startsWith("#!")) return "text/x-shellscript";
  if (text.startsWith("#cloud-config")) return "text/cloud-config";
  if (text.startsWith("#cloud-boothook")) return "text/cloud-boothook";
  return "text/plain";
}

/** Shell words of one command: quotes and backslashes as sh reads them (no expansion). */
function words(line: string): { words: string[]; ops: string[] } {
  const out: string[] = [];
  const ops: string[] = [];
  let cur = "";
  let has = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      cur += line.slice(i + 1, end < 0 ? undefined : end);
      has = true;
      i = end < 0 ? line.length : end;
    } else if (c === '"') {
      has = true;
      for (i++; i < line.length && line[i] !== '"'; i++) {
        if (line[i] === "\\" && i + 1 < line.length && '"\\$`\n'.includes(line[i + 1]!)) i++;
        cur += line[i];
      }
    } else if (c === "\\" && i + 1 < line.length) {
      cur += line[++i];
      has = true;
    } else if (c === " " || c === "\t") {
      if (has) out.push(cur);
      cur = "";
      has = false;
    } else if (c === ">" || c === "|" || c === "<") {
      if (has) out.push(cur);
      cur = "";
      has = false;
      let op = c;
      while (
        i + 1 < line.length &&
        (line[i + 1] === ">" || line[i + 1] === "<" || line[i + 1] === "-") &&
        op.length < 3
      )
        op += line[++i];
      out.push(`\u0000${op}`);
      ops.push(op);
    } else if (c === "#" && !has && cur === "") {
      break;
    } else {
      cur += c;
      has = true;
    }
  }
  if (has) out.push(cur);
  return { words: out, ops };
}

/** printf's format: `%s` takes the next argument, `\n`/`\t`/`\\` escapes, `%%`. */
function printf(args: string[]): string {
  const [format = "", ...rest] = args;
  let out = "";
  let k = 0;
  for (let i = 0; i < format.length; i++) {
    const c = format[i]!;
    if (c === "\\" && i + 1 < format.length) {
      const n = format[++i]!;
      out += n === "n" ? "\n" : n === "t" ? "\t" : n === "r" ? "\r" : n;
    } else if (c === "%" && format[i + 1] === "s") {
      out += rest[k++] ?? "";
      i++;
    } else if (c === "%" && format[i + 1] === "%") {
      out += "%";
      i++;
    } else out += c;
  }
  return out;
}

function echo(args: string[]): string {
  let escapes = false;
  let newline = true;
  while (args[0] && /^-[neE]+$/.test(args[0])) {
    const flag = args.shift()!;
    if (flag.includes("n")) newline = false;
    if (flag.includes("e")) escapes = true;
    if (flag.includes("E")) escapes = false;
  }
  const text = args.join(" ");
  return (escapes ? text.replace(/\\n/g, "\n").replace(/\\t/g, "\t") : text) + (newline ? "\n" : "");
}

/** Applies one write to the files: `>` replaces, `>>` (or tee -a) appends. */
function write(files: BootFiles, file: string, text: string, append: boolean): void {
  files.set(file, append ? (files.get(file) ?? "") + text : text);
}

/**
 * Runs the lines of a shell script (or a runcmd entry) against the files. Recognised: `echo`/`printf` redirected
 * with `>`/`>>`, `cat > f`/`cat >> f`/`tee [-a] f` fed by a heredoc, and `echo ... | tee [-a] f`. A heredoc whose
 * delimiter is quoted and one that is not are read alike (no expansion here anyway); `<<-` strips leading tabs.
 */
export function runShell(script: string, files: BootFiles): void {
  const lines = script.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    // One command per line (and `;` / `&&` chains of simple ones).
    for (const cmd of line.split(/\s*(?:&&|;)\s*/)) {
      const parsed = words(cmd);
      const ws = parsed.words;
      const heredoc = ws.findIndex((w) => w === "\u0000<<" || w === "\u0000<<-");
      if (heredoc >= 0) {
        const stripTabs = ws[heredoc] === "\u0000<<-";
        const delim = ws[heredoc + 1] ?? "EOF";
        const body: string[] = [];
        for (i++; i < lines.length; i++) {
          const l = stripTabs ? lines[i]!.replace(/^\t+/, "") : lines[i]!;
          if (l === delim) break;
          body.push(l);
        }
        const text = body.length ? `${body.join("\n")}\n` : "";
        const rest = ws.filter((_, j) => j !== heredoc && j !== heredoc + 1);
        target(rest, text, files);
        break;
      }
      const pipe = ws.indexOf("\u0000|");
      if (pipe >= 0) {
        const left = ws.slice(0, pipe);
        const right = ws.slice(pipe + 1);
        const text = left[0] === "echo" ? echo(left.slice(1)) : left[0] === "printf" ? printf(left.slice(1)) : "";
        if (right[0] === "tee" || right[0] === "sudo") target(right, text, files);
        continue;
      }
      const redirect = ws.findIndex((w) => w === "\u0000>" || w === "\u0000>>");
      if (redirect < 0) continue;
      const file = ws[redirect + 1];
      if (!file) continue;
      const argv = [...ws.slice(0, redirect), ...ws.slice(redirect + 2)];
      if (argv[0] === "sudo") argv.shift();
      const text = argv[0] === "echo" ? echo(argv.slice(1)) : argv[0] === "printf" ? printf(argv.slice(1)) : undefined;
      if (text !== undefined) write(files, file, text, ws[redirect] === "\u0000>>");
    }
  }
}

/** `cat > f` / `cat >> f` / `tee [-a] f` / `sudo tee -a f` taking `text` on stdin. */
function target(argv: string[], text: string, files: BootFiles): void {
  const ws = argv[0] === "sudo" ? argv.slice(1) : argv;
  const redirect = ws.findIndex((w) => w === "\u0000>" || w === "\u0000>>");
  if (ws[0] === "cat" && redirect >= 0 && ws[redirect + 1]) {
    write(files, ws[redirect + 1]!, text, ws[redirect] === "\u0000>>");
    return;
  }
  if (ws[0] === "tee") {
    const append = ws.includes("-a") || ws.includes("--append");
    for (const f of ws.slice(1).filter((w) => !w.startsWith("-") && !w.startsWith("\u0000")))
      write(files, f, text, append);
  }
}

type CloudConfig = {
  bootcmd?: unknown;
  write_files?: unknown;
  runcmd?: unknown;
};

/** A runcmd/bootcmd entry: a string is a shell line; a list is argv (`sh -c '...'` runs its script). */
function runEntry(entry: unknown, files: BootFiles): void {
  if (typeof entry === "string") runShell(entry, files);
  else if (Array.isArray(entry) && entry.every((x) => typeof x === "string")) {
    const argv = entry as string[];
    if (/(^|\/)(ba)?sh$/.test(argv[0] ?? "") && argv[1] === "-c" && argv[2]) runShell(argv[2], files);
    else runShell(argv.map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(" "), files);
  }
}

function writeFiles(list: unknown, files: BootFiles): void {
  if (!Array.isArray(list)) return;
  for (const f of list) {
    if (typeof f !== "object" || f === null) continue;
    const { path, content, encoding, append, defer } = f as Record<string, unknown>;
    if (typeof path !== "string" || defer === true) continue;
    let text = typeof content === "string" ? content : "";
    const enc = typeof encoding === "string" ? encoding.toLowerCase() : "";
    if (["b64", "base64", "gz+b64", "gzip+base64", "gz+base64", "gzip+b64"].includes(enc)) {
      let bytes = Buffer.from(text.replace(/\s+/g, ""), "base64");
      if (enc.startsWith("gz")) bytes = gunzipSync(bytes);
      text = bytes.toString("utf8");
    }
    write(files, path, text, append === true);
  }
}

/**
 * Boots an instance with this user data (base64, as EC2 stores it): the files cloud-init's modules and the user's
 * scripts leave behind. Order as cloud-init runs them: bootcmd, write_files (init stage), then the final stage's
 * scripts-user: every shell script part and the runcmd script, by file name (`part-001` before `runcmd`).
 */
export function bootFiles(userDataBase64: string | undefined): BootFiles {
  const files: BootFiles = new Map();
  const text = decodeUserData(userDataBase64);
  if (!text) return files;
  const final: { name: string; run: () => void }[] = [];
  for (const part of parts(text)) {
    if (part.type === "text/x-shellscript" || part.type === "text/cloud-boothook") {
      final.push({ name: part.filename, run: () => runShell(part.body, files) });
    } else if (part.type === "text/cloud-config") {
      let cfg: CloudConfig;
      try {
        cfg = (parseYaml(part.body) ?? {}) as CloudConfig;
      } catch {
        continue;
      }
      if (typeof cfg !== "object" || cfg === null) continue;
      if (Array.isArray(cfg.bootcmd)) for (const e of cfg.bootcmd) runEntry(e, files);
      writeFiles(cfg.write_files, files);
      const runcmd = cfg.runcmd;
      if (Array.isArray(runcmd))
        final.push({
          name: "runcmd",
          run: () => {
            for (const e of runcmd) runEntry(e, files);
          },
        });
    }
  }
  for (const step of final.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) step.run();
  return files;
}

/** Text as EC2 stores user data: base64, optionally of the gzip of the text. */
export function encodeUserData(text: string, gzip = false): string {
  const bytes = Buffer.from(text, "utf8");
  return (gzip ? gzipSync(bytes) : bytes).toString("base64");
}
