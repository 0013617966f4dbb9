import { CHECK_KEY, type ConfigWrite, ECS_CONFIG_PATH, type Origin } from "./ecs-config.ts";

/**
 * The writes a shell script makes to /etc/ecs/ecs.config, read the way bash would run the common forms: echo or
 * printf redirected with `>`/`>>`, a `cat <<EOF` heredoc redirected or piped to tee, `... | tee [-a]`, and a simple
 * `sed -i`. Anything else that touches ecs.config or mentions the check is reported as unreadable, never guessed.
 */

type Word = { value: string; quoted: boolean; dynamic: boolean };
type Op = "|" | ";" | "&&" | "||" | "&" | ">" | ">>" | "<" | "<<" | "<<-" | "<<<";
type Token = { word: Word } | { op: Op };

/** Splits a logical line into words and operators: quotes, escapes, `$` expansions marked dynamic, `#` comments. */
function tokenize(line: string): Token[] {
  const out: Token[] = [];
  let cur: Word | undefined;
  const flush = () => {
    if (cur) out.push({ word: cur });
    cur = undefined;
  };
  const word = () => {
    cur ??= { value: "", quoted: false, dynamic: false };
    return cur;
  };
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === " " || c === "\t") {
      flush();
    } else if (c === "#" && !cur) {
      break;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      const w = word();
      w.quoted = true;
      w.value += line.slice(i + 1, end < 0 ? line.length : end);
      i = end < 0 ? line.length : end;
    } else if (c === '"') {
      const w = word();
      w.quoted = true;
      for (i++; i < line.length && line[i] !== '"'; i++) {
        const d = line[i]!;
        if (d === "\\" && i + 1 < line.length && '"\\$`\n'.includes(line[i + 1]!)) {
          w.value += line[++i];
        } else {
          if (d === "$" || d === "`") w.dynamic = true;
          w.value += d;
        }
      }
    } else if (c === "\\") {
      word().value += line[++i] ?? "";
    } else if (c === "$" || c === "`") {
      const w = word();
      w.dynamic = true;
      w.value += c;
    } else if ("|;&<>".includes(c)) {
      // `2>` and `1>>`: a bare fd number before a redirection is not a word.
      if (c === ">" && cur && !cur.quoted && /^\d$/.test(cur.value)) cur = undefined;
      flush();
      const three = line.slice(i, i + 3);
      const two = line.slice(i, i + 2);
      const op = (["<<-", "<<<"].includes(three) ? three : ["&&", "||", ">>", "<<"].includes(two) ? two : c) as Op;
      i += op.length - 1;
      // `>&2`, `2>&1`: a redirection to another fd writes no file.
      if ((op === ">" || op === ">>") && line[i + 1] === "&") {
        i++;
        while (/\d/.test(line[i + 1] ?? "")) i++;
        continue;
      }
      out.push({ op });
    } else {
      word().value += c;
    }
  }
  flush();
  return out;
}

type Command = { words: Word[]; redirects: { op: Op; target: Word }[]; heredoc?: { strip: boolean; quoted: boolean } };
type Pipeline = Command[];

function commandsOf(tokens: Token[]): { pipelines: Pipeline[]; heredocDelim?: string } {
  const pipelines: Pipeline[] = [];
  let pipe: Pipeline = [];
  let cmd: Command = { words: [], redirects: [] };
  let heredocDelim: string | undefined;
  const endCmd = () => {
    // `sudo cmd` runs cmd (user data already runs as root).
    while (cmd.words[0]?.value === "sudo" && !cmd.words[0].quoted) cmd.words.shift();
    if (cmd.words.length > 0 || cmd.redirects.length > 0 || cmd.heredoc) pipe.push(cmd);
    cmd = { words: [], redirects: [] };
  };
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if ("word" in t) {
      cmd.words.push(t.word);
    } else if (t.op === "|") {
      endCmd();
    } else if (t.op === ";" || t.op === "&&" || t.op === "||" || t.op === "&") {
      endCmd();
      if (pipe.length > 0) pipelines.push(pipe);
      pipe = [];
    } else {
      const next = tokens[i + 1];
      if (!next || !("word" in next)) continue;
      i++;
      if (t.op === "<<" || t.op === "<<-") {
        cmd.heredoc = { strip: t.op === "<<-", quoted: next.word.quoted };
        heredocDelim ??= next.word.value;
      } else {
        cmd.redirects.push({ op: t.op, target: next.word });
      }
    }
  }
  endCmd();
  if (pipe.length > 0) pipelines.push(pipe);
  return { pipelines, ...(heredocDelim !== undefined ? { heredocDelim } : {}) };
}

const isConfig = (w: Word) => w.value === ECS_CONFIG_PATH;
const mentionsConfig = (s: string) => s.includes(ECS_CONFIG_PATH);
const base = (w: Word | undefined) => w?.value.split("/").pop() ?? "";

function escapes(s: string): string {
  return s.replace(/\\(.)/g, (_, c: string) => ({ n: "\n", t: "\t", "\\": "\\", r: "\r" })[c] ?? `\\${c}`);
}

/** What echo or printf prints, or undefined when it depends on the run (a variable, a command substitution). */
function printed(cmd: Command): string | undefined {
  const [name, ...args] = cmd.words;
  if (args.some((w) => w.dynamic)) return undefined;
  if (base(name) === "echo") {
    let newline = true;
    let interpret = false;
    while (args[0] && !args[0].quoted && /^-[neE]+$/.test(args[0].value)) {
      const f = args.shift()!.value;
      if (f.includes("n")) newline = false;
      if (f.includes("e")) interpret = true;
      if (f.includes("E")) interpret = false;
    }
    const text = args.map((w) => w.value).join(" ");
    return (interpret ? escapes(text) : text) + (newline ? "\n" : "");
  }
  if (base(name) === "printf") {
    const [format, ...rest] = args;
    if (!format) return undefined;
    const values = rest.map((w) => w.value);
    let out = "";
    do {
      out += escapes(format.value).replace(/%%|%s/g, (m) => (m === "%%" ? "%" : (values.shift() ?? "")));
    } while (values.length > 0 && format.value.includes("%s"));
    return out;
  }
  return undefined;
}

/** A BRE that is only literals, `.`, `*`, `[...]`, `^` and `$` as a JS RegExp; undefined for anything richer. */
function simpleBre(bre: string, global: boolean): RegExp | undefined {
  let re = "";
  for (let i = 0; i < bre.length; i++) {
    const c = bre[i]!;
    if (c === "\\") {
      const d = bre[++i];
      if (d === undefined || /[(){}+?|0-9a-zA-Z]/.test(d)) return undefined;
      re += d.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
    } else if (c === "[") {
      const end = bre.indexOf("]", i + 2);
      if (end < 0) return undefined;
      re += bre.slice(i, end + 1);
      i = end;
    } else if (c === "^" && i === 0) re += "^";
    else if (c === "$" && i === bre.length - 1) re += "$";
    else if (c === "." || c === "*") re += c;
    else re += c.replace(/[+?{}()|\\/]/g, "\\$&");
  }
  return new RegExp(re, global ? "g" : "");
}

type Sed = { op: "sed-sub"; pattern: RegExp; replacement: string } | { op: "sed-delete"; pattern: RegExp };

/** `s<d>A<d>B<d>[g]` or `/A/d`, nothing else. */
function parseSed(script: string): Sed | undefined {
  const del = /^\/((?:[^/\\]|\\.)*)\/d$/.exec(script.trim());
  if (del) {
    const pattern = simpleBre(del[1]!, false);
    return pattern ? { op: "sed-delete", pattern } : undefined;
  }
  const s = script.trim();
  if (s[0] !== "s" || s.length < 4) return undefined;
  const d = s[1]!;
  const fields: string[] = [""];
  for (let i = 2; i < s.length; i++) {
    const last = fields.length - 1;
    if (s[i] === "\\" && s[i + 1] === d) {
      fields[last] += d;
      i++;
    } else if (s[i] === d) fields.push("");
    else fields[last] += s[i]!;
  }
  if (fields.length !== 3 || !/^g?$/.test(fields[2]!)) return undefined;
  const pattern = simpleBre(fields[0]!, fields[2] === "g");
  const repl = fields[1]!;
  if (!pattern || /\\[0-9]/.test(repl)) return undefined;
  // sed's `&` is the match; JS writes it `$&`, and a literal `$` must be doubled.
  const replacement = repl
    .replace(/\$/g, "$$$$")
    .replace(/\\&|&|\\(.)/g, (m, c?: string) => (m === "&" ? "$&" : m === "\\&" ? "&" : (c ?? "")));
  return { op: "sed-sub", pattern, replacement };
}

/** A line of the script as the caller's leaf knows it: its number and the span a fix would edit. */
export type LineAt = (index: number) => Omit<Origin, "source">;

function origin(at: LineAt, index: number, source: string): Origin {
  return { ...at(index), source: source.slice(0, 300) };
}

/**
 * The ecs.config writes of a shell script, in order. `at` maps a 0-based line of `script` to its place in the user
 * data (so that runcmd items and MIME parts report their own lines).
 */
export function shellWrites(script: string, at: LineAt): ConfigWrite[] {
  const writes: ConfigWrite[] = [];
  const lines = script.split("\n").map((l) => l.replace(/\r$/, ""));
  for (let i = 0; i < lines.length; i++) {
    const first = i;
    let line = lines[i]!;
    // A trailing backslash continues the command on the next line.
    while (line.endsWith("\\") && i + 1 < lines.length) line = `${line.slice(0, -1)} ${lines[++i]!}`;
    if (/^\s*#/.test(line) || line.trim() === "") continue;
    const here = origin(at, first, line);
    const unreadable = (why: string) => writes.push({ op: "unreadable", why, origin: here });
    const { pipelines, heredocDelim } = commandsOf(tokenize(line));

    // The heredoc body follows the line; it is consumed whether or not it goes to ecs.config.
    const body: { text: string; index: number }[] = [];
    let bodyUnreadable = false;
    const heredoc = pipelines.flat().find((c) => c.heredoc)?.heredoc;
    if (heredocDelim !== undefined && heredoc) {
      for (i++; i < lines.length; i++) {
        const raw = heredoc.strip ? lines[i]!.replace(/^\t+/, "") : lines[i]!;
        if (raw === heredocDelim) break;
        body.push({ text: raw, index: i });
      }
      if (!heredoc.quoted && body.some((b) => /[$`]/.test(b.text))) {
        const mentions = body.some((b) => b.text.includes(CHECK_KEY));
        if (mentions) {
          bodyUnreadable = true;
          unreadable("a heredoc that expands variables writes the check");
        }
      }
    }

    for (const pipe of pipelines) {
      const last = pipe[pipe.length - 1]!;
      const target = pipe
        .flatMap((c) => c.redirects)
        .find((r) => (r.op === ">" || r.op === ">>") && isConfig(r.target));
      const tee = base(last.words[0]) === "tee" && last.words.slice(1).some(isConfig) ? last : undefined;
      const sed = pipe.length === 1 && base(last.words[0]) === "sed" && last.words.some(isConfig) ? last : undefined;

      if (target || tee) {
        const source = tee ? pipe[0]! : pipe.find((c) => c.redirects.some((r) => r.target === target?.target))!;
        const append = tee ? tee.words.some((w) => w.value === "-a" || w.value === "--append") : target!.op === ">>";
        if (source.heredoc && (base(source.words[0]) === "cat" || source === tee)) {
          if (bodyUnreadable) continue;
          writes.push({
            op: "write",
            append,
            content: body.map((b) => `${b.text}\n`).join(""),
            origin: here,
            lineOrigins: body.map((b) => origin(at, b.index, b.text)),
          });
          continue;
        }
        const text = source === tee ? undefined : printed(source);
        if (text === undefined) {
          unreadable("writes /etc/ecs/ecs.config with text that depends on the run or a command not read");
          continue;
        }
        writes.push({ op: "write", append, content: text, origin: here });
      } else if (sed) {
        const flags = sed.words.slice(1).filter((w) => !w.quoted && w.value.startsWith("-"));
        const scripts = sed.words.slice(1).filter((w) => !(!w.quoted && w.value.startsWith("-")) && !isConfig(w));
        const inPlace = flags.some((f) => /^-[^-]*i/.test(f.value) || f.value.startsWith("--in-place"));
        const parsed = scripts.length === 1 && !scripts[0]!.dynamic ? parseSed(scripts[0]!.value) : undefined;
        if (!inPlace) continue;
        if (!parsed) unreadable("a sed on /etc/ecs/ecs.config that is not a simple substitution or deletion");
        else writes.push({ ...parsed, origin: here });
      } else {
        const all = pipe.flatMap((c) => [...c.words, ...c.redirects.map((r) => r.target)]);
        const name = base(pipe[0]?.words[0]);
        const writesConfig =
          pipe.some((c) => c.redirects.some((r) => r.op !== "<" && mentionsConfig(r.target.value))) ||
          (["cp", "mv", "install", "dd", "ln", "rm", "truncate", "tee", "sed", "perl", "awk"].includes(name) &&
            all.some((w) => mentionsConfig(w.value)));
        const assignment = name === "export" || /^[A-Za-z_][A-Za-z0-9_]*=/.test(pipe[0]?.words[0]?.value ?? "");
        if (writesConfig) unreadable("changes /etc/ecs/ecs.config in a way not read");
        else if (!assignment && all.some((w) => w.value.includes(CHECK_KEY)))
          unreadable("mentions ECS_WARM_POOLS_CHECK in a command not read");
      }
    }
  }
  return writes;
}
