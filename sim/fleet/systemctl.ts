/**
 * What `systemctl`, `rpm`, `dpkg-query` and `df` print on a simulated host, from its model. Only what scripts on an
 * ECS host need: the `ecs`, `docker` and `containerd` units (show, is-active, is-failed, status, start, stop,
 * restart), `rpm -q`, `dpkg-query -W` and `df -P`.
 */
import { type Host, PROXY_URL, type ServiceState } from "./host.ts";
import { DISK_PATHS } from "./scenario-schema.ts";

export type ToolResult = { code: number; stdout: string; stderr: string };

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

/** systemd's timestamp format: `Tue 2025-02-04 07:02:21 UTC`; empty when it never happened. */
export function systemdTime(ms: number | undefined): string {
  if (ms === undefined) return "";
  const d = new Date(ms);
  const iso = d.toISOString();
  return `${DAYS[d.getUTCDay()]} ${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

/** The unit file: the rpm's on Amazon Linux; the generic deb's elsewhere, which lets systemd restart on exit 5. */
export function ecsUnitFile(host: Host): string {
  return host.isDeb ? "/lib/systemd/system/ecs.service" : "/usr/lib/systemd/system/ecs.service";
}

function ecsProperties(host: Host): [string, string][] {
  const s: ServiceState = host.service;
  return [
    ["Type", "simple"],
    ["Restart", "on-failure"],
    ["RestartUSec", "10s"],
    ["MainPID", String(s.mainPid)],
    ["ExecMainStartTimestamp", systemdTime(s.execMainStartAt)],
    ["ExecMainExitTimestamp", systemdTime(s.execMainExitAt)],
    ["ExecMainPID", String(s.execMainPid)],
    ["ExecMainCode", String(s.execMainCode)],
    ["ExecMainStatus", String(s.execMainStatus)],
    ["NRestarts", String(s.nRestarts)],
    ["Result", s.result],
    ["Id", "ecs.service"],
    ["Names", "ecs.service"],
    ["Description", "Amazon Elastic Container Service - container agent"],
    ["LoadState", "loaded"],
    ["ActiveState", s.activeState],
    ["SubState", s.subState],
    ["FragmentPath", ecsUnitFile(host)],
    ["UnitFileState", host.spec.ecsUnit],
    ["UnitFilePreset", "disabled"],
    ["StateChangeTimestamp", systemdTime(s.stateChangeAt)],
    ["InactiveExitTimestamp", systemdTime(s.inactiveExitAt)],
    ["ActiveEnterTimestamp", systemdTime(s.activeEnterAt)],
    ["ActiveExitTimestamp", systemdTime(s.activeExitAt)],
    ["InactiveEnterTimestamp", systemdTime(s.inactiveEnterAt)],
    ["CanStart", "yes"],
    ["CanStop", "yes"],
    ["CanRestart", "yes"],
    ["RestartPreventExitStatus", host.isDeb ? "" : "5"],
    // A proxy drop-in (/etc/systemd/system/ecs.service.d/http-proxy.conf) without NO_PROXY.
    ["Environment", host.spec.proxy === "unit" ? `HTTP_PROXY=${PROXY_URL}` : ""],
  ];
}

function dockerProperties(host: Host): [string, string][] {
  const up = host.dockerActive;
  // Never started (a unit left disabled, or a dependency that failed) is inactive (dead); a crash leaves it failed.
  const never = host.spec.docker === "inactive";
  const t = systemdTime(host.launchedAt + 8000);
  return [
    ["Type", "notify"],
    ["MainPID", up ? "1893" : "0"],
    ["Result", up || never ? "success" : "exit-code"],
    ["Id", "docker.service"],
    ["Names", "docker.service"],
    ["Description", "Docker Application Container Engine"],
    ["LoadState", "loaded"],
    ["ActiveState", up ? "active" : never ? "inactive" : "failed"],
    ["SubState", up ? "running" : never ? "dead" : "failed"],
    ["UnitFileState", never ? "disabled" : "enabled"],
    ["ActiveEnterTimestamp", never ? "" : t],
    ["NRestarts", up || never ? "0" : "3"],
  ];
}

function containerdProperties(host: Host): [string, string][] {
  return [
    ["Type", "notify"],
    ["MainPID", "1771"],
    ["Result", "success"],
    ["Id", "containerd.service"],
    ["Names", "containerd.service"],
    ["Description", "containerd container runtime"],
    ["LoadState", "loaded"],
    ["ActiveState", "active"],
    ["SubState", "running"],
    ["UnitFileState", host.isDeb ? "enabled" : "disabled"],
    ["ActiveEnterTimestamp", systemdTime(host.launchedAt + 6000)],
    ["NRestarts", "0"],
  ];
}

/** What systemd shows for a unit it has no file for: a stub with default values (and `show` still exits 0). */
function missingProperties(unit: string): [string, string][] {
  return [
    ["MainPID", "0"],
    ["ExecMainStartTimestamp", ""],
    ["ExecMainExitTimestamp", ""],
    ["ExecMainPID", "0"],
    ["ExecMainCode", "0"],
    ["ExecMainStatus", "0"],
    ["NRestarts", "0"],
    ["Result", "success"],
    ["Id", unit],
    ["Names", unit],
    ["LoadState", "not-found"],
    ["ActiveState", "inactive"],
    ["SubState", "dead"],
    ["StateChangeTimestamp", ""],
  ];
}

/** Units this host has a unit file for: ecs, docker and containerd come with the ECS-optimized AMI only. */
function installed(host: Host, unit: string): boolean {
  return host.hasEcs && (unit === "ecs.service" || unit === "docker.service" || unit === "containerd.service");
}

function unitName(arg: string): string {
  return arg.includes(".") ? arg : `${arg}.service`;
}

function propsFor(host: Host, unit: string): [string, string][] {
  if (!installed(host, unit)) return missingProperties(unit);
  if (unit === "ecs.service") return ecsProperties(host);
  if (unit === "docker.service") return dockerProperties(host);
  if (unit === "containerd.service") return containerdProperties(host);
  return missingProperties(unit);
}

function activeOf(host: Host, unit: string): string {
  return propsFor(host, unit).find(([k]) => k === "ActiveState")?.[1] ?? "inactive";
}

function ago(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}min ${s % 60}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h ${m % 60}min`;
  return `${Math.floor(h / 24)} days ${h % 24}h`;
}

function status(host: Host, unit: string, now: number): ToolResult {
  if (!installed(host, unit)) return { code: 4, stdout: "", stderr: `Unit ${unit} could not be found.\n` };
  if (unit !== "ecs.service") {
    if (unit === "docker.service") {
      const a = activeOf(host, unit);
      return {
        code: a === "active" ? 0 : 3,
        stdout: `${a === "active" ? "●" : "×"} docker.service - Docker Application Container Engine\n     Loaded: loaded (/usr/lib/systemd/system/docker.service; enabled; preset: disabled)\n     Active: ${a === "active" ? "active (running)" : "failed (Result: exit-code)"}\n`,
        stderr: "",
      };
    }
    return { code: 4, stdout: "", stderr: `Unit ${unit} could not be found.\n` };
  }
  const s = host.service;
  const dot =
    s.activeState === "active" || s.activeState === "activating" ? "●" : s.activeState === "failed" ? "×" : "○";
  const since = s.stateChangeAt ?? host.launchedAt;
  const active =
    s.activeState === "active"
      ? "active (running)"
      : s.activeState === "failed"
        ? `failed (Result: ${s.result})`
        : s.activeState === "activating"
          ? `activating (${s.subState})`
          : "inactive (dead)";
  const lines = [
    `${dot} ecs.service - Amazon Elastic Container Service - container agent`,
    `     Loaded: loaded (${ecsUnitFile(host)}; ${host.spec.ecsUnit}; preset: disabled)`,
    `     Active: ${active} since ${systemdTime(since)}; ${ago(now - since)} ago`,
  ];
  if (s.preStartPid)
    lines.push(
      `    Process: ${s.preStartPid} ExecStartPre=/usr/libexec/amazon-ecs-init pre-start (code=exited, status=0/SUCCESS)`,
    );
  if (s.activeState === "active") {
    lines.push(`   Main PID: ${s.mainPid} (amazon-ecs-init)`);
  } else if (s.execMainPid) {
    const st = s.execMainStatus === 5 ? "5/NOTINSTALLED" : s.execMainStatus === 0 ? "0/SUCCESS" : `${s.execMainStatus}`;
    lines.push(
      `    Process: ${s.execMainPid} ExecStart=/usr/libexec/amazon-ecs-init start (code=exited, status=${st})`,
      `   Main PID: ${s.execMainPid} (code=exited, status=${st})`,
    );
  }
  return { code: s.activeState === "active" ? 0 : 3, stdout: `${lines.join("\n")}\n`, stderr: "" };
}

export function systemctl(host: Host, args: string[], now: number): ToolResult {
  const props: string[] = [];
  let valueOnly = false;
  let quiet = false;
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "-p" || a === "--property") props.push(...(args[++i] ?? "").split(","));
    else if (a.startsWith("--property=")) props.push(...a.slice("--property=".length).split(","));
    else if (a.startsWith("-p") && a.length > 2) props.push(...a.slice(2).split(","));
    else if (a === "--value") valueOnly = true;
    else if (a === "-q" || a === "--quiet") quiet = true;
    else if (a.startsWith("-"))
      continue; // --no-pager, --no-legend, --plain, -l, --full, --all ...
    else rest.push(a);
  }
  const [verb, ...unitArgs] = rest;
  const units = unitArgs.map(unitName);
  switch (verb) {
    case "show": {
      // One block per unit, separated by a blank line, as systemd prints several.
      const blocks: string[] = [];
      for (const unit of units.length ? units : ["ecs.service"]) {
        const all = propsFor(host, unit);
        const wanted = props.filter((p) => p !== "");
        const chosen = wanted.length
          ? wanted.map((p) => [p, all.find(([k]) => k === p)?.[1] ?? ""] as [string, string])
          : all;
        blocks.push(chosen.map(([k, v]) => (valueOnly ? v : `${k}=${v}`)).join("\n"));
      }
      const text = blocks.filter((b) => b !== "").join("\n\n");
      return { code: 0, stdout: text ? `${text}\n` : "", stderr: "" };
    }
    case "is-active": {
      const states = units.map((u) => activeOf(host, u));
      const ok = states.some((s) => s === "active");
      return { code: ok ? 0 : 3, stdout: quiet ? "" : states.map((s) => `${s}\n`).join(""), stderr: "" };
    }
    case "is-failed": {
      const states = units.map((u) => activeOf(host, u));
      const failed = states.some((s) => s === "failed");
      return { code: failed ? 0 : 1, stdout: quiet ? "" : states.map((s) => `${s}\n`).join(""), stderr: "" };
    }
    case "is-enabled":
      return {
        code: units.every((u) => installed(host, u)) ? 0 : 1,
        stdout: quiet ? "" : units.map((u) => (installed(host, u) ? "enabled\n" : "")).join(""),
        stderr: units
          .filter((u) => !installed(host, u))
          .map((u) => `Failed to get unit file state for ${u}: No such file or directory\n`)
          .join(""),
      };
    case "status":
      return status(host, units[0] ?? "ecs.service", now);
    case "start":
    case "stop":
    case "restart":
    case "try-restart":
    case "reset-failed": {
      if (units.length === 0) return { code: 1, stdout: "", stderr: `Too few arguments.\n` };
      for (const unit of units) {
        if (!installed(host, unit)) {
          return { code: 5, stdout: "", stderr: `Failed to ${verb} ${unit}: Unit ${unit} not found.\n` };
        }
        if (unit === "docker.service" || unit === "containerd.service") continue;
        if (unit !== "ecs.service") {
          return { code: 5, stdout: "", stderr: `Failed to ${verb} ${unit}: Unit ${unit} not found.\n` };
        }
        const agent = host.agent;
        if (verb === "start") agent.startService(now, "start");
        else if (verb === "stop") agent.stopService(now);
        else if (verb === "restart") agent.restartService(now);
        else if (verb === "try-restart") {
          if (host.service.activeState === "active") agent.restartService(now);
        } else if (verb === "reset-failed" && host.service.activeState === "failed") {
          host.service.activeState = "inactive";
          host.service.subState = "dead";
          host.service.result = "success";
        }
      }
      return { code: 0, stdout: "", stderr: "" };
    }
    case "daemon-reload":
    case "enable":
    case "disable":
      return { code: 0, stdout: "", stderr: "" };
    case undefined:
      return { code: 1, stdout: "", stderr: "systemctl: this simulated host only knows unit commands\n" };
    default:
      return { code: 1, stdout: "", stderr: `Unknown command verb ${verb}.\n` };
  }
}

/** `dpkg-query -W [-f=FORMAT] NAME...` on a Debian or Ubuntu host: the generic ecs-init deb and docker. */
export function dpkgQuery(host: Host, args: string[]): ToolResult {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own format syntax
  let format = "${Package}\t${Version}\n";
  let show = false;
  const names: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "-W" || a === "--show") show = true;
    else if (a === "-f" || a === "--showformat") format = args[++i] ?? "";
    else if (a.startsWith("-f=") || a.startsWith("--showformat=")) format = a.slice(a.indexOf("=") + 1);
    else if (a.startsWith("-")) continue;
    else names.push(a);
  }
  if (!show) return { code: 2, stdout: "", stderr: "dpkg-query: only --show (-W) is simulated\n" };
  const packages: Record<string, string> = {
    ...(host.hasEcs && host.isDeb && { "ecs-init": `${host.spec.agentVersion}-1`, "docker.io": "26.1.5+dfsg1-1" }),
  };
  let code = 0;
  let stdout = "";
  let stderr = "";
  for (const n of names) {
    const version = packages[n];
    if (version === undefined) {
      stderr += `dpkg-query: no packages found matching ${n}\n`;
      code = 1;
    } else
      stdout += format
        .replace(/\$\{Package\}/g, n)
        .replace(/\$\{Version\}/g, version)
        .replace(/\\n/g, "\n")
        .replace(/\\t/g, "\t");
  }
  return { code, stdout, stderr };
}

/**
 * `df -P -k|-i PATH...` for paths in the host's sandbox (its folder is the instance's /): one line per path, in
 * order, from the host's disk model. A path outside DISK_PATHS is the root volume's; one that does not exist fails.
 */
export function df(host: Host, args: string[]): ToolResult {
  let inodes = false;
  const paths: string[] = [];
  for (const a of args) {
    if (a === "-i" || a === "--inodes") inodes = true;
    else if (a.startsWith("-")) continue;
    else paths.push(a);
  }
  const root = host.sandbox ?? host.sandboxPath();
  const lines = [
    inodes
      ? "Filesystem       Inodes  IUsed    IFree IUse% Mounted on"
      : "Filesystem     1024-blocks     Used Available Capacity Mounted on",
  ];
  let stderr = "";
  for (const raw of paths) {
    const rel = raw.startsWith(root) ? raw.slice(root.length) : raw;
    const inside = `/${rel.replace(/^\/+|\/+$/g, "")}`;
    const known = (DISK_PATHS as readonly string[]).includes(inside);
    if (!known || (inside === "/var/lib/docker" && !host.hasEcs)) {
      stderr += `df: ${raw}: No such file or directory\n`;
      continue;
    }
    const d = host.disk(inside as (typeof DISK_PATHS)[number]);
    // df rounds the percentage up: used / (used + available), as POSIX asks.
    const pct = (used: number, free: number) => (used + free === 0 ? 0 : Math.ceil((used * 100) / (used + free)));
    if (inodes) {
      const free = d.inodes - d.inodesUsed;
      lines.push(`${d.device} ${d.inodes} ${d.inodesUsed} ${free} ${pct(d.inodesUsed, free)}% ${d.mount}`);
    } else {
      const avail = d.kb - d.kbUsed;
      lines.push(`${d.device} ${d.kb} ${d.kbUsed} ${avail} ${pct(d.kbUsed, avail)}% ${d.mount}`);
    }
  }
  return { code: stderr ? 1 : 0, stdout: `${lines.join("\n")}\n`, stderr };
}

export function rpm(host: Host, args: string[]): ToolResult {
  let format: string | undefined;
  let all = false;
  let query = false;
  const names: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--qf" || a === "--queryformat") format = args[++i] ?? "";
    else if (a.startsWith("--qf=") || a.startsWith("--queryformat=")) format = a.slice(a.indexOf("=") + 1);
    else if (a === "-qa") {
      query = true;
      all = true;
    } else if (a === "-q" || a === "--query") query = true;
    else if (a === "-a" || a === "--all") all = true;
    else if (a.startsWith("-")) continue;
    else names.push(a);
  }
  if (!query) return { code: 1, stdout: "", stderr: "rpm: only queries (-q) are simulated\n" };
  const release = host.spec.os === "al2023" ? "1.amzn2023" : "1.amzn2";
  const packages: Record<string, { version: string; release: string; arch: string }> = {
    ...(host.hasEcs && {
      "ecs-init": { version: host.spec.agentVersion, release, arch: host.spec.arch },
      docker: {
        version: "25.0.8",
        release: host.spec.os === "al2023" ? "1.amzn2023.0.1" : "1.amzn2.0.1",
        arch: host.spec.arch,
      },
    }),
    "amazon-ssm-agent": { version: host.spec.ssm.agentVersion, release: "1", arch: host.spec.arch },
  };
  const render = (name: string) => {
    const p = packages[name]!;
    if (format === undefined) return `${name}-${p.version}-${p.release}.${p.arch}\n`;
    return format
      .replace(/%\{NAME\}/g, name)
      .replace(/%\{VERSION\}/g, p.version)
      .replace(/%\{RELEASE\}/g, p.release)
      .replace(/%\{ARCH\}/g, p.arch)
      .replace(/\\n/g, "\n")
      .replace(/\\t/g, "\t");
  };
  if (all && names.length === 0) return { code: 0, stdout: Object.keys(packages).map(render).join(""), stderr: "" };
  let code = 0;
  let stdout = "";
  for (const n of names) {
    if (packages[n]) stdout += render(n);
    else {
      stdout += `package ${n} is not installed\n`;
      code = 1;
    }
  }
  return { code, stdout, stderr: "" };
}
