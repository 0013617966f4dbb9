/**
 * Model mode: renders in-process, byte for byte, what lib/probe/probe.sh (schema 1) prints on a host, for fleets too
 * large to spawn bash per host. It follows the script step by step: the same facts (IMDS, `systemctl show`,
 * `rpm -q`, ecs.config as its awk reads it, the log lines its grep and awk pick), then the same renderer with the
 * same escaping and the same shrinking caps. sim/fleet/modes-agree.test.ts holds it to the script.
 *
 * Strings are handled as "binary" strings (one char per byte), as the script's C-locale awk sees them.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import type { ExecResult } from "../fleet-types.ts";
import type { Host } from "./host.ts";
import { type LogFile, RotatingLog } from "./rotating-log.ts";
import { DISK_PATHS } from "./scenario-schema.ts";
import { df, dpkgQuery, rpm, systemctl } from "./systemctl.ts";

const bin = (s: string) => Buffer.from(s, "utf8").toString("latin1");

type Facts = { v: Map<string, string>; list: Map<string, string[]> };

const LISTS = new Set(["cfg.file", "cfg.key", "cfg.odd", "logs.file", "logs.tailed", "skipped", "disk"]);

function rec(f: Facts, k: string, value: string) {
  const val = value.replaceAll("\n", " ");
  if (LISTS.has(k)) {
    if (k === "skipped" && (f.list.get(k) ?? []).includes(val)) return;
    f.list.set(k, [...(f.list.get(k) ?? []), val]);
  } else f.v.set(k, val);
}

// --- facts ---------------------------------------------------------------------------------------------------

const ALLOW = new Set([
  "ECS_CLUSTER",
  "ECS_WARM_POOLS_CHECK",
  "ECS_ENABLE_SPOT_INSTANCE_DRAINING",
  "ECS_IMAGE_PULL_BEHAVIOR",
  "ECS_LOGLEVEL",
  "ECS_LOG_OUTPUT_FORMAT",
  "ECS_LOG_ROLLOVER_TYPE",
  "ECS_CHECKPOINT",
  "AWS_DEFAULT_REGION",
]);

// --- NO_PROXY as the probe's awk reads it (AWK_NOPROXY) ---------------------------------------------------------

const BYPASS = ["169.254.169.254", "169.254.170.2", "/var/run/docker.sock"] as const;

function ip2n(s: string): number {
  const p = s.split(".");
  return ((Number(p[0] ?? 0) * 256 + Number(p[1] ?? 0)) * 256 + Number(p[2] ?? 0)) * 256 + Number(p[3] ?? 0);
}

function covers(np: string, addr: string): boolean {
  for (const raw of np.split(",")) {
    const x = raw.replace(/^[ \t]+|[ \t]+$/g, "");
    if (x === "*" || x === addr) return true;
    if (/^[0-9.]+$/.test(addr) && /^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+\/[0-9]+$/.test(x)) {
      const [net, bits] = x.split("/");
      if (Number(bits) > 32) continue;
      const m = 2 ** (32 - Number(bits));
      if (Math.floor(ip2n(addr) / m) === Math.floor(ip2n(net!) / m)) return true;
    }
  }
  return false;
}

const missing = (np: string) => BYPASS.filter((a) => !covers(np, a)).join(" ");

function configFacts(f: Facts, files: { path: string; text: string }[]) {
  if (files.length === 0) {
    rec(f, "cfg.other", "0");
    return;
  }
  for (const file of files) rec(f, "cfg.file", file.path);
  const val = new Map<string, { value: string; fi: number; ln: number }>();
  const seen = new Set<string>();
  const odd = new Set<string>();
  const px = new Map<string, string>();
  files.forEach((file, fi) => {
    // `head -c 262144 | tr -d '\0'`, then an extra newline: awk sees the file's lines plus one empty one.
    const text = bin(file.text).slice(0, 262144).replaceAll("\0", "");
    const lines = `${text}\n`.split("\n");
    lines.pop();
    lines.forEach((raw, idx) => {
      const s = raw.replace(/^[ \t\r\v\f]+|[ \t\r\v\f]+$/g, "");
      const p = s.indexOf("=");
      if (p < 0) return;
      const k = s.slice(0, p);
      if (ALLOW.has(k)) {
        val.set(k, { value: s.slice(p + 1), fi, ln: idx + 1 });
        return;
      }
      if (k === "") return;
      seen.add(k);
      if (/^(HTTPS?|NO)_PROXY$/.test(k.toUpperCase())) px.set(k, s.slice(p + 1));
      let u = k.toUpperCase().replace(/^EXPORT[ \t]+/, "");
      u = u.replace(/^["' \t]+|["' \t]+$/g, "");
      if (!k.startsWith("#") && ALLOW.has(u)) odd.add(u);
    });
  });
  rec(f, "cfg.other", String(seen.size));
  for (const [k, x] of val) rec(f, "cfg.key", `${k}\t${x.fi}\t${x.ln}\t${x.value.slice(0, 400)}`);
  for (const k of odd) rec(f, "cfg.odd", k);
  let proxy = false;
  let np = "";
  for (const [k, value] of px) {
    if (k.toUpperCase() === "NO_PROXY") np += `,${value}`;
    else if (value !== "") proxy = true;
  }
  if (proxy) rec(f, "proxy.config", missing(np));
}

const LOG_PATTERN =
  /Could not determine target lifecycle|Waiting for instance to go InService|Instance registration completed successfully|Restored from checkpoint file|Amazon ECS agent Version|level="?(crit|critical|error|fatal)|"level": ?"(crit|critical|error|fatal)"|\[(CRIT|CRITICAL|ERROR|FATAL)\]|infer region|Missing required fields: AWSRegion|valid credentials|IMDS role found|refresh cached credentials|NoCredentialProviders|failed to get API token|register as a container instance|registering container instance|register container instance|new task engine|Data mismatch; saved cluster|supported docker versions|Cannot connect to the Docker daemon|cgroup root|Cloud-init failure detected|Cluster not found|is too old|no space left on device|Signature not yet current|instance type does not match|ACS endpoint|to connect to ACS|ACS Connection hasn.t|ACS Web[Ss]ocket connection closed|xited with code|terminal exit code|ECS Agent failed to start/;

const TS =
  /[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9][T ][0-9][0-9]:[0-9][0-9]:[0-9][0-9](\.[0-9]+)?(Z|[+-][0-9][0-9]:?[0-9][0-9])?/;

function digitsOf(re: RegExp, s: string): string {
  const m = re.exec(s);
  return m ? m[0].replace(/[^0-9]/g, "") : "";
}

function kindOf(s: string): string {
  if (/ClientException: Cluster not found/.test(s)) return "cluster-not-found";
  if (/The current instance type does not match the registered instance type/.test(s)) return "instance-type";
  if (/Signature not yet current/.test(s)) return "clock-skew";
  if (/client version [0-9.]+ is too old|is too old\. Minimum supported API version/.test(s)) return "docker-api";
  if (/no space left on device/.test(s)) return "disk-full";
  if (/Data mismatch; saved cluster/.test(s)) return "state-mismatch";
  if (/to infer region|Missing required fields: AWSRegion/.test(s)) return "imds-region";
  if (
    /Error getting valid credentials|no EC2 IMDS role found|failed to refresh cached credentials|NoCredentialProviders|failed to get API token/.test(
      s,
    )
  )
    return "credentials";
  if (/Cloud-init failure detected/.test(s)) return "cloud-init";
  if (/Unable to initialize cgroup root/.test(s)) return "cgroups";
  if (/Could not get supported docker versions|Cannot connect to the Docker daemon/.test(s)) return "docker";
  if (/Unable to initialize new task engine/.test(s)) return "task-engine";
  if (
    /Unable to register as a container instance|Error registering container instance|unable to register container instance/.test(
      s,
    )
  )
    return "registration";
  return "";
}

function logFacts(f: Facts, agentFiles: LogFile[], initFiles: LogFile[]) {
  const out = new Map<string, string>();
  let lcCount = 0;
  let file = "";
  let n = 0;
  let line = "";
  const put = (k: string, withText: boolean) => {
    out.set(`${k}.file`, file);
    out.set(`${k}.n`, String(n));
    out.set(`${k}.t`, TS.exec(line)?.[0] ?? "");
    if (withText) out.set(`${k}.text`, line);
  };
  for (const [kind, files] of [
    ["agent", agentFiles],
    ["init", initFiles],
  ] as const) {
    for (const lf of files) {
      file = bin(lf.name);
      rec(f, "logs.file", file);
      lf.lines.forEach((raw, idx) => {
        const l = bin(raw).replaceAll("\0", "");
        if (!LOG_PATTERN.test(l) || l.includes("health check [HEAD")) return;
        // `grep -n | cut -c 1-4000`, then the awk splits at the first ':' and drops a trailing CR.
        n = idx + 1;
        line = `${n}:${l}`
          .slice(0, 4000)
          .slice(String(n).length + 1)
          .replace(/\r$/, "");
        if (kind === "init") {
          if (/xited with code|terminal exit code|ECS Agent failed to start/.test(line)) {
            put("init", true);
            out.set("init.code", digitsOf(/(exit code|exited with code):? *[0-9]+/, line));
          }
          return;
        }
        if (/Could not determine target lifecycle of instance/.test(line)) {
          put("lifecycle", true);
          out.set("lifecycle.code", digitsOf(/StatusCode: *[0-9]+/, line));
          lcCount++;
          return;
        }
        if (/Waiting for instance to go InService/.test(line)) {
          put("waiting", false);
          return;
        }
        if (/Instance registration completed successfully|Restored from checkpoint file/.test(line)) {
          put("registered", true);
          return;
        }
        if (/Amazon ECS agent Version/.test(line)) {
          put("started", false);
          const m = /Amazon ECS agent Version: *v?[0-9]+\.[0-9]+\.[0-9]+/.exec(line);
          if (m) out.set("started.version", m[0].replace(/.*Version: *v?/, ""));
          return;
        }
        const acs = /Connected to ACS endpoint/.test(line)
          ? "connected"
          : /Failed to connect to ACS/.test(line)
            ? "failed"
            : /ACS Connection hasn.t had any activity for too long/.test(line)
              ? "idle"
              : /ACS Web[Ss]ocket connection closed/.test(line)
                ? "closed"
                : "";
        if (acs !== "") {
          put("acs", true);
          out.set("acs.state", acs);
        }
        const k = kindOf(line);
        if (k !== "") {
          put("failure", true);
          out.set("failure.kind", k);
        }
        if (
          /level="?(crit|critical|error|fatal)([^a-z]|$)|"level": ?"(crit|critical|error|fatal)"|\[(CRIT|CRITICAL|ERROR|FATAL)\]/.test(
            line,
          )
        )
          put("error", true);
      });
    }
  }
  if (lcCount) out.set("lifecycle.count", String(lcCount));
  for (const [k, val] of out) rec(f, `logs.${k}`, val);
}

/** The unit's Environment as the probe's awk reads it: space-separated, one pair of quotes stripped. */
function unitProxy(f: Facts, env: string) {
  let proxy = false;
  let np = "";
  for (const w of env.slice(0, 65536).split(" ")) {
    const x = w.replace(/^"|"$/g, "");
    const p = x.indexOf("=");
    if (p < 1) continue;
    const k = x.slice(0, p).toUpperCase();
    const val = x.slice(p + 1);
    if (k === "NO_PROXY") np += `,${val}`;
    else if ((k === "HTTP_PROXY" || k === "HTTPS_PROXY") && val !== "") proxy = true;
  }
  if (proxy) rec(f, "proxy.unit", missing(np));
}

function isoSeconds(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

function readSandbox(host: Host, rel: string): string | undefined {
  if (!host.sandbox) return undefined;
  try {
    return readFileSync(path.join(host.sandbox, rel), "utf8");
  } catch {
    return undefined;
  }
}

function collect(host: Host, now: number): Facts {
  const f: Facts = { v: new Map(), list: new Map() };
  rec(f, "at", isoSeconds(now));

  // IMDS, as curl sees this host's metadata service.
  const mode = host.spec.imds;
  if (mode === "hang") {
    rec(f, "imds.token", "timeout");
    rec(f, "imds.lc", "timeout");
    rec(f, "imds.id", "skipped");
    rec(f, "skipped", "imds.id");
  } else if (mode === "refuse") {
    rec(f, "imds.token", "refused");
    rec(f, "imds.lc", "refused");
    rec(f, "imds.id", "refused");
  } else {
    rec(f, "imds.token", "ok");
    const state = host.lifecycleAt(now);
    rec(f, "imds.lc", state === undefined ? "404" : "200");
    if (state !== undefined) rec(f, "imds.state", state.replace(/[^A-Za-z0-9:_.-]/g, "").slice(0, 48));
    rec(f, "imds.id", "200");
    rec(f, "id", host.id.replace(/[^A-Za-z0-9-]/g, "").slice(0, 32));
  }

  // systemctl show, through the same code the shim asks.
  const shown = systemctl(
    host,
    [
      "show",
      "ecs",
      "--no-pager",
      "--property=LoadState,ActiveState,SubState,Result,ExecMainStatus,NRestarts,ExecMainStartTimestamp,ExecMainExitTimestamp,StateChangeTimestamp,UnitFileState,FragmentPath,RestartPreventExitStatus,Environment",
    ],
    now,
  ).stdout;
  let init = "unknown";
  if (/^ActiveState=/m.test(shown)) {
    init = "systemd";
    const all = shown.split("\n");
    all.pop();
    const lines = all.filter((l) => !l.startsWith("Environment=")).filter((l) => /^[A-Za-z]*=/.test(l));
    for (const l of lines.slice(0, 20)) {
      const eq = l.indexOf("=");
      rec(f, `svc.${l.slice(0, eq)}`, l.slice(eq + 1));
    }
    const env = all.find((l) => l.startsWith("Environment="));
    if (env !== undefined) unitProxy(f, env.slice("Environment=".length));
  }
  rec(f, "svc.init", init);
  if (init === "systemd") {
    const blocks = systemctl(
      host,
      ["show", "docker", "containerd", "--no-pager", "--property=Id,LoadState,ActiveState,SubState,Result"],
      now,
    ).stdout.split(/\n\n+/);
    for (const block of blocks) {
      const l = block.split("\n");
      const id = l.find((x) => /^Id=(docker|containerd)\.service$/.test(x));
      if (!id) continue;
      const u = id.slice(3).replace(/\.service$/, "");
      for (const x of l) {
        if (!/^(LoadState|ActiveState|SubState|Result)=/.test(x)) continue;
        const eq = x.indexOf("=");
        rec(f, `dep.${u}.${x.slice(0, eq)}`, x.slice(eq + 1));
      }
    }
  }

  // rpm on Amazon Linux; the deb's dpkg-query where there is no rpm (Debian, Ubuntu).
  const pkg = host.isDeb ? "" : (rpm(host, ["-q", "ecs-init"]).stdout.split("\n")[0] ?? "");
  if (/^ecs-init-[0-9]/.test(pkg)) rec(f, "ecsinit", pkg);
  else if (host.isDeb) {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own format, as the probe passes it
    const deb = dpkgQuery(host, ["-W", "-f=${Version}", "ecs-init"]).stdout.slice(0, 200);
    if (/^[0-9]/.test(deb)) rec(f, "deb", deb.replace(/[^A-Za-z0-9.+~:-]/g, "").slice(0, 40));
  }

  // df -P of the folders the sandbox has (materialize makes / and /var/lib/ecs; /var/lib/docker with ECS).
  const root = host.sandbox ?? host.sandboxPath();
  const dpaths = DISK_PATHS.filter((p) => p !== "/var/lib/docker" || host.hasEcs);
  const dargs = dpaths.map((p) => `${root}${p}`);
  const dfLines = (flag: string) =>
    df(host, ["-P", flag, ...dargs])
      .stdout.split("\n")
      .slice(0, 8)
      .map((l) => l.split(/[ \t]+/).filter((x) => x !== ""))
      .filter((w) => w[0] !== "Filesystem" && w.length >= 6);
  const kb = dfLines("-k");
  const ino = dfLines("-i");
  if (kb.length === dpaths.length) {
    kb.forEach((w, i) => {
      const iu = ino.length === dpaths.length ? ino[i]![4]!.replace(/%$/, "") : "-";
      rec(f, "disk", `${dpaths[i]}\t${w.slice(5).join(" ")}\t${w[3]}\t${w[4]!.replace(/%$/, "")}\t${iu}`);
    });
  }

  // ecs.config: the sandbox files when they exist (a script may have changed them), else the model's.
  const varLib = host.sandbox ? readSandbox(host, "var/lib/ecs/ecs.config") : host.varLibConfig;
  const etc = host.sandbox ? readSandbox(host, "etc/ecs/ecs.config") : host.etcConfig;
  const cfgFiles: { path: string; text: string }[] = [];
  if (varLib !== undefined) cfgFiles.push({ path: "/var/lib/ecs/ecs.config", text: varLib });
  if (etc !== undefined) cfgFiles.push({ path: "/etc/ecs/ecs.config", text: etc });
  configFacts(f, cfgFiles);

  // Logs: the three newest rotated agent files (oldest of them first), the current one; ecs-init's newest and current.
  // A plain AMI has no /var/log/ecs at all.
  // A unit that never ran wrote no log: there is no file.
  const agentFiles =
    host.hasEcs && host.agentLog.written
      ? [...host.agentLog.rotatedFiles().slice(-3), host.agentLog.files().at(-1)!]
      : [];
  const initFiles =
    host.hasEcs && host.initLog.written ? [...host.initLog.rotatedFiles().slice(-1), host.initLog.files().at(-1)!] : [];
  logFacts(f, agentFiles, initFiles);

  const osRelease = (host.sandbox ? readSandbox(host, "etc/os-release") : host.osRelease()) ?? "";
  const osLines: string[] = [];
  for (const l of osRelease.split("\n")) {
    const id = /^ID=(.*)$/.exec(l);
    const ver = /^VERSION_ID=(.*)$/.exec(l);
    if (id) osLines.push(`os.id\t${id[1]}`);
    else if (ver) osLines.push(`os.version\t${ver[1]}`);
  }
  for (const l of osLines.slice(0, 2)) {
    const clean = l.replace(/["']/g, "");
    const tab = clean.indexOf("\t");
    rec(f, clean.slice(0, tab), clean.slice(tab + 1));
  }
  rec(f, "os.boot", isoSeconds(Math.floor(host.launchedAt / 1000) * 1000));

  const answer = host.agent.introspection();
  if (answer) {
    rec(f, "agent.code", "200");
    rec(f, "agent.cluster", answer.Cluster);
    rec(f, "agent.arn", answer.ContainerInstanceArn);
    rec(f, "agent.version", answer.Version);
  } else {
    // Nothing listens on the host's introspection address until the agent registers: curl exits 7.
    rec(f, "agent.code", "refused");
  }
  rec(f, "ms", String(mode === "hang" ? 3620 : 140));
  return f;
}

// --- the renderer (probe.sh's render(), awk) -------------------------------------------------------------------

// The probe strips terminal escapes before escaping: CSI sequences, OSC strings, then lone two-byte escapes.
const ESC = String.fromCharCode(27);
const BEL = String.fromCharCode(7);
const ANSI_CSI = new RegExp(`${ESC}\\[[0-9;?]*[ -/]*[@-~]`, "g");
const ANSI_OSC = new RegExp(`${ESC}\\][^${BEL}${ESC}]*(${BEL}|${ESC}\\\\)`, "g");
const ANSI_ESC = new RegExp(`${ESC}[@-_]`, "g");

function escFactory(F: number, G: number) {
  return (input: string, capIn: number): string => {
    let s = input.replace(ANSI_CSI, "").replace(ANSI_OSC, "").replace(ANSI_ESC, "");
    let cap = capIn >= 150 ? Math.trunc(capIn * G) : capIn;
    cap = Math.trunc(cap * F);
    if (cap < 8) cap = 8;
    let n = s.length;
    if (n > cap + 8) n = cap + 8;
    let i = 0;
    let used = 0;
    let cut = false;
    const tok: string[] = [];
    while (i < n) {
      const b = s.charCodeAt(i);
      let adv = 1;
      let t: string;
      if (b === 34) t = '\\"';
      else if (b === 92) t = "\\\\";
      else if (b === 9) t = "\\t";
      else if (b < 32 || b === 127) t = `\\u${b.toString(16).padStart(4, "0")}`;
      else if (b < 128) t = s[i]!;
      else {
        const len = b >= 194 && b <= 223 ? 2 : b >= 224 && b <= 239 ? 3 : b >= 240 && b <= 244 ? 4 : 0;
        let ok = len > 0 && i + len - 1 < s.length;
        for (let k = 1; ok && k < len; k++) {
          const cb = s.charCodeAt(i + k);
          let lo = 128;
          let hi = 191;
          if (k === 1 && b === 224) lo = 160;
          if (k === 1 && b === 237) hi = 159;
          if (k === 1 && b === 240) lo = 144;
          if (k === 1 && b === 244) hi = 143;
          if (cb < lo || cb > hi) ok = false;
        }
        if (ok) {
          t = s.slice(i, i + len);
          adv = len;
        } else t = "?";
      }
      if (used + t.length > cap) {
        cut = true;
        break;
      }
      tok.push(t);
      used += t.length;
      i += adv;
    }
    if (!cut && i < s.length) cut = true;
    if (cut) {
      while (tok.length > 0 && used + 3 > cap) used -= tok.pop()!.length;
    }
    s = tok.join("");
    if (cut) s += "\xe2\x80\xa6";
    return `"${s}"`;
  };
}

function render(facts: Facts, F: number, G: number): string {
  const v = facts.v;
  const list = (k: string) => facts.list.get(k) ?? [];
  const esc = escFactory(F, G);
  const get = (k: string) => v.get(k) ?? "";
  const str = (k: string, cap: number) => (v.has(k) && v.get(k) !== "" ? esc(v.get(k)!, cap) : "null");
  const num = (s: string) => (/^-?[0-9]+$/.test(s) && s.length < 10 ? String(Number(s)) : "null");
  const http = (s: string) => {
    if (/^[0-9]+$/.test(s) && s.length <= 3) return String(Number(s));
    if (s === "timeout" || s === "refused" || s === "skipped") return `"${s}"`;
    return '"error"';
  };
  const item = (name: string, fields: string, base: number) => {
    if (!v.has(`logs.${name}.n`)) return "";
    let o = `,"${name}":{"file":${esc(get(`logs.${name}.file`), 64)},"n":${num(get(`logs.${name}.n`))}`;
    if (get(`logs.${name}.t`) !== "") o += `,"t":${esc(get(`logs.${name}.t`), 40)}`;
    if (fields.includes("code")) o += `,"code":${num(get(`logs.${name}.code`))}`;
    if (fields.includes("count")) {
      const c = num(get(`logs.${name}.count`));
      o += `,"count":${c === "null" ? 1 : c}`;
    }
    if (fields.includes("kind")) o += `,"kind":"${get(`logs.${name}.kind`)}"`;
    if (fields.includes("state")) o += `,"state":"${get(`logs.${name}.state`)}"`;
    if (fields.includes("version") && get(`logs.${name}.version`) !== "")
      o += `,"version":${esc(get(`logs.${name}.version`), 32)}`;
    if (fields.includes("text")) o += `,"text":${esc(get(`logs.${name}.text`), base)}`;
    return `${o}}`;
  };
  const arr = (k: string, cap: number) =>
    `[${list(k)
      .slice(0, 8)
      .map((x) => esc(x, cap))
      .join(",")}]`;

  let o = `{"schema":1,"at":${str("at", 40)},"ms":${num(get("ms"))},"instanceId":${str("id", 32)}`;
  o += `,"imds":{"token":${get("imds.token") === "ok" ? '"ok"' : http(get("imds.token"))}`;
  o += `,"idCode":${http(get("imds.id"))},"lcCode":${http(get("imds.lc"))},"lcState":${str("imds.state", 48)}}`;
  o += `,"config":{"files":${arr("cfg.file", 64)},"keys":{`;
  o += list("cfg.key")
    .map((entry) => {
      const [k, fi, ln] = entry.split("\t");
      const value = entry.slice(`${k}${fi}${ln}`.length + 3);
      return `"${k}":[${esc(value, k === "ECS_CLUSTER" ? 64 : 32)},${num(fi!)},${num(ln!)}]`;
    })
    .join(",");
  const other = num(get("cfg.other"));
  o += `},"other":${other === "null" ? 0 : other}`;
  if (list("cfg.odd").length > 0) o += `,"odd":${arr("cfg.odd", 48)}`;
  o += "}";
  o += `,"service":{"init":${esc(get("svc.init") === "" ? "unknown" : get("svc.init"), 8)}`;
  o += `,"load":${str("svc.LoadState", 40)},"active":${str("svc.ActiveState", 40)},"sub":${str("svc.SubState", 40)}`;
  o += `,"result":${str("svc.Result", 40)},"status":${num(get("svc.ExecMainStatus"))},"restarts":${num(get("svc.NRestarts"))}`;
  o += `,"started":${str("svc.ExecMainStartTimestamp", 48)},"exited":${str("svc.ExecMainExitTimestamp", 48)}`;
  o += `,"changed":${str("svc.StateChangeTimestamp", 48)}`;
  o += `,"enabled":${str("svc.UnitFileState", 24)},"unit":${str("svc.FragmentPath", 120)}`;
  o += `,"prevent":${str("svc.RestartPreventExitStatus", 40)}`;
  o += `},"ecsInit":${str("ecsinit", 80)}`;
  if (get("deb") !== "") o += `,"deb":${esc(get("deb"), 40)}`;
  const unit = (u: string) => {
    if (!v.has(`dep.${u}.LoadState`) && !v.has(`dep.${u}.ActiveState`)) return "";
    return `"${u}":{"load":${str(`dep.${u}.LoadState`, 40)},"active":${str(`dep.${u}.ActiveState`, 40)},"sub":${str(`dep.${u}.SubState`, 40)},"result":${str(`dep.${u}.Result`, 40)}}`;
  };
  const deps = [unit("docker"), unit("containerd")].filter((x) => x !== "");
  if (deps.length) o += `,"deps":{${deps.join(",")}}`;
  const pct = (x: string | undefined) =>
    x !== undefined && /^[0-9]+$/.test(x) && Number(x) <= 100 ? String(Number(x)) : "null";
  const disks: string[] = [];
  for (const entry of list("disk")) {
    if (disks.length >= 3) break;
    const [p, mount, free, use, iuse] = entry.split("\t");
    if (!/^[0-9]+$/.test(free ?? "") || free!.length > 15 || pct(use) === "null") continue;
    disks.push(
      `{"path":${esc(p!, 32)},"mount":${esc(mount!, 64)},"free":${Number(free)},"use":${pct(use)},"iuse":${pct(iuse)}}`,
    );
  }
  if (disks.length) o += `,"disks":[${disks.join(",")}]`;
  if (v.has("proxy.config") || v.has("proxy.unit")) {
    const where = [v.has("proxy.config") ? '"config"' : "", v.has("proxy.unit") ? '"unit"' : ""].filter((x) => x);
    const miss = `${get("proxy.config")} ${get("proxy.unit")}`.split(" ");
    const missing = BYPASS.filter((a) => miss.includes(a)).map((a) => `"${a}"`);
    o += `,"proxy":{"where":[${where.join(",")}],"missing":[${missing.join(",")}]}`;
  }
  o += `,"agent":{"code":${http(get("agent.code"))}`;
  if (get("agent.cluster") !== "") o += `,"cluster":${esc(get("agent.cluster"), 128)}`;
  if (get("agent.arn") !== "") o += `,"arn":${esc(get("agent.arn"), 200)}`;
  if (get("agent.version") !== "") o += `,"version":${esc(get("agent.version"), 80)}`;
  o += `},"logs":{"files":${arr("logs.file", 64)}`;
  if (list("logs.tailed").length > 0) o += `,"tailed":${arr("logs.tailed", 64)}`;
  o += item("lifecycle", "code count text", 300) + item("waiting", "", 0) + item("registered", "text", 180);
  o += item("started", "version", 0) + item("error", "text", 300) + item("failure", "kind text", 300);
  o += `${item("acs", "state text", 240)}${item("init", "code text", 180)}}`;
  o += `,"os":{"id":${str("os.id", 32)},"version":${str("os.version", 32)},"boot":${str("os.boot", 40)}}`;
  if (list("skipped").length > 0) o += `,"skipped":${arr("skipped", 32)}`;
  return `${o}}`;
}

const MAX = 2390;

/** The probe's stdout for this host now, or undefined when the script is not one this renderer knows. */
export function renderProbe(host: Host, commands: string[]): ExecResult | undefined {
  if (commands[1] !== "# fleet-doctor-probe schema=1") return undefined;
  const now = host.sync();
  const facts = collect(host, now);
  // The long texts shrink first (G), then every cap (F), as the script's renderer does.
  let F = 1;
  let G = 1;
  let line = render(facts, F, G);
  while (line.length > MAX && F > 0.02) {
    if (G > 0.3) G *= 0.8;
    else F *= 0.75;
    line = render(facts, F, G);
  }
  return { exitCode: 0, stdout: `${Buffer.from(line, "latin1").toString("utf8")}\n`, stderr: "", timedOut: false };
}

export { RotatingLog };
