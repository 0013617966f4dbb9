/**
 * One simulated EC2 instance: its identity, its Auto Scaling history, its ecs.config, the `ecs` systemd unit, its
 * log files and its sandbox folder. The ECS agent that runs on it lives in agent.ts.
 *
 * Time: every state change happens at an instant. At load, the host's past (launch until now) is replayed at once
 * with the scenario's instants, so its logs carry real past timestamps; after that, events fire on timers in real
 * time, and anything that observes the host first catches it up to `Date.now()`.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import type { GroupInstance, LaunchInto, TemplateSpec } from "../fleet-types.ts";
import { Agent } from "./agent.ts";
import { parseEcsConfig, renderEcsConfig } from "./ecs-config.ts";
import { hashString, type Rng, rng } from "./random.ts";
import { type Rollover, RotatingLog } from "./rotating-log.ts";
import { type DISK_PATHS, isDebOs, type ScenarioHost, type ScenarioTiming } from "./scenario-schema.ts";
import { shimScripts } from "./shims.ts";
import { defaultRollover } from "./versions.ts";

export type FleetContext = {
  region: string;
  accountId: string;
  timing: ScenarioTiming;
  /** When the fleet was created: every `...Ago` in the scenario counts back from here. */
  createdAt: number;
  /**
   * Where a host's introspection API listens for scripts: its own loopback address (127.10.x.y) on a port the fleet
   * holds on 127.0.0.1, so that while the agent is not registered nothing listens there and curl gets a real
   * "connection refused", as on an instance. Undefined: scripts use the fleet URL (/_hosts/<id>/agent) instead.
   */
  agentAddress?: (host: Host) => { ip: string; port: number } | undefined;
  /** Serves one introspection request for a host (GET /v1/metadata ...). */
  serveAgent?: (host: Host, req: http.IncomingMessage, res: http.ServerResponse, rest: string) => void;
  baseUrl: string;
  sandboxRoot: string;
  availabilityZones: (group?: string) => string[];
  instanceTypeOf: (group?: string) => string;
};

/**
 * An instance its group launched while the simulator runs (a scale-out): when, into what, which one of the group's
 * launches it is, and how long after launch the group publishes its target lifecycle state.
 */
export type Launched = { group: string; sequence: number; into: LaunchInto; at: number; publishDelayMs: number };

/** A stretch of time in one group: attached (or launched by it), state published, maybe left. */
export type Stint = { group: string; state: string; joinedAt: number; publishedAt: number; leftAt?: number };

export type ServiceState = {
  /** "activating": ExecStartPre running (start-pre), or waiting RestartSec before systemd starts it again (auto-restart). */
  activeState: "active" | "failed" | "inactive" | "activating";
  subState: "running" | "failed" | "dead" | "start-pre" | "auto-restart";
  result: "success" | "exit-code";
  execMainStatus: number;
  /** 0 while running, 1 (CLD_EXITED) once the main process exited. */
  execMainCode: number;
  mainPid: number;
  execMainPid: number;
  preStartPid: number;
  nRestarts: number;
  execMainStartAt?: number;
  execMainExitAt?: number;
  activeEnterAt?: number;
  activeExitAt?: number;
  inactiveEnterAt?: number;
  inactiveExitAt?: number;
  stateChangeAt?: number;
};

const OS_RELEASE: Record<ScenarioHost["os"], string> = {
  al2023: `NAME="Amazon Linux"
VERSION="2023"
ID="amzn"
ID_LIKE="fedora"
VERSION_ID="2023"
PLATFORM_ID="platform:al2023"
PRETTY_NAME="Amazon Linux 2023.6.20250128"
ANSI_COLOR="0;33"
CPE_NAME="cpe:2.3:o:amazon:amazon_linux:2023"
HOME_URL="https://aws.amazon.com/linux/amazon-linux-2023/"
DOCUMENTATION_URL="https://docs.aws.amazon.com/linux/"
SUPPORT_URL="https://aws.amazon.com/premiumsupport/"
BUG_REPORT_URL="https://github.com/amazonlinux/amazon-linux-2023"
VENDOR_NAME="AWS"
VENDOR_URL="https://aws.amazon.com/"
SUPPORT_END="2029-06-30"
`,
  al2: `NAME="Amazon Linux"
VERSION="2"
ID="amzn"
ID_LIKE="centos rhel fedora"
VERSION_ID="2"
PRETTY_NAME="Amazon Linux 2"
ANSI_COLOR="0;33"
CPE_NAME="cpe:2.3:o:amazon:amazon_linux:2"
HOME_URL="https://amazonlinux.com/"
SUPPORT_END="2026-06-30"
`,
  debian: `PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
HOME_URL="https://www.debian.org/"
SUPPORT_URL="https://www.debian.org/support"
BUG_REPORT_URL="https://bugs.debian.org/"
`,
  ubuntu: `PRETTY_NAME="Ubuntu 24.04.1 LTS"
NAME="Ubuntu"
VERSION_ID="24.04"
VERSION="24.04.1 LTS (Noble Numbat)"
VERSION_CODENAME=noble
ID=ubuntu
ID_LIKE=debian
HOME_URL="https://www.ubuntu.com/"
UBUNTU_CODENAME=noble
`,
};

/** The proxy a `proxy` host sets (without NO_PROXY): in ecs.config, or in the ecs unit's drop-in Environment. */
export const PROXY_URL = "http://proxy.corp.internal:3128";

/** A filesystem as `df -P` sees it: 1K-blocks and inodes, total and used. */
export type Disk = { device: string; mount: string; kb: number; kbUsed: number; inodes: number; inodesUsed: number };

export class Host {
  readonly id: string;
  /** Position in the scenario (gives the host its loopback address). */
  index = 0;
  readonly rng: Rng;
  readonly launchedAt: number;
  readonly privateIp: string;
  readonly availabilityZone: string;
  readonly instanceType: string;
  readonly amiId: string;
  stints: Stint[] = [];
  etcConfig: string;
  varLibConfig: string | undefined;
  readonly agentLog: RotatingLog;
  readonly initLog: RotatingLog;
  readonly agent: Agent;
  service: ServiceState;
  dockerActive: boolean;
  sandbox: string | undefined;
  /** The launch template and version number the group launched this host from (DescribeAutoScalingInstances). */
  launchTemplate: TemplateSpec | undefined;
  /** When the group terminated it (an instance refresh): gone from SSM, ECS and the group, frozen from then on. */
  terminatedAt: number | undefined;
  /** IMDSv2 tokens this host has handed out, with their expiry (ms). */
  readonly tokens = new Map<string, number>();
  private agentServer: http.Server | undefined;
  private nextEvent: { at: number; fn: (at: number) => void } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private live = false;
  private closed = false;

  constructor(
    readonly spec: ScenarioHost,
    readonly ctx: FleetContext,
    /** Set when the group launched this host after the fleet was created. */
    readonly launched?: Launched,
  ) {
    this.id = spec.id;
    this.rng = rng(hashString(spec.id));
    this.launchedAt = launched ? launched.at : ctx.createdAt - spec.launchedAgo * 1000;
    const n = hashString(`${spec.id}/ip`);
    this.privateIp = spec.privateIp ?? `10.0.${(n >>> 8) % 64}.${(n % 250) + 4}`;
    const zones = ctx.availabilityZones(spec.group?.name);
    this.availabilityZone = spec.availabilityZone ?? zones[n % zones.length]!;
    this.instanceType = spec.instanceType ?? ctx.instanceTypeOf(spec.group?.name);
    this.amiId = spec.imageId ?? `ami-0${(hashString(spec.agentVersion) >>> 0).toString(16).padStart(8, "0")}e1c2d3a4`;
    this.etcConfig = this.configText(spec.configAtStart ?? spec.ecsConfig);
    this.varLibConfig = spec.instanceEcsConfig === undefined ? undefined : renderEcsConfig(spec.instanceEcsConfig);
    this.dockerActive = spec.failure !== "docker" && spec.docker === "active";
    const rollover = this.rolloverFor(parseEcsConfig(this.varLibConfig, this.etcConfig));
    this.agentLog = new RotatingLog("ecs-agent.log", rollover);
    this.initLog = new RotatingLog("ecs-init.log", { type: "date" });
    this.service = {
      activeState: "inactive",
      subState: "dead",
      result: "success",
      execMainStatus: 0,
      execMainCode: 0,
      mainPid: 0,
      execMainPid: 0,
      preStartPid: 0,
      nRestarts: 0,
    };
    if (launched) {
      // Launched at runtime: the group publishes the state only after its delay, which may be after the agent
      // asked (the warm-pool failure of a scale-out).
      this.stints.push({
        group: launched.group,
        state: spec.group?.state ?? "InService",
        joinedAt: launched.at,
        publishedAt: launched.at + launched.publishDelayMs,
      });
    } else if (spec.group) {
      const joinedAt = ctx.createdAt - (spec.group.joinedAgo ?? spec.launchedAgo) * 1000;
      this.stints.push({
        group: spec.group.name,
        state: spec.group.state,
        joinedAt,
        // A scenario's group that launched the host published its state before anything booted; an attach takes a moment.
        publishedAt: spec.group.joinedAgo === undefined ? joinedAt : joinedAt + ctx.timing.publishDelaySeconds * 1000,
        leftAt: spec.group.detachedAgo === undefined ? undefined : ctx.createdAt - spec.group.detachedAgo * 1000,
      });
    }
    this.agent = new Agent(this);
  }

  private booted = false;

  /** The ECS-optimized AMI: ecs-init, the `ecs` unit and Docker are installed. */
  get hasEcs(): boolean {
    return this.spec.ami !== "plain";
  }

  /** Debian or Ubuntu with the generic ecs-init deb: no rpm, the deb's unit (no RestartPreventExitStatus=5). */
  get isDeb(): boolean {
    return isDebOs(this.spec.os);
  }

  /** /etc/ecs/ecs.config as written: the scenario's, plus the proxy line of a host with a proxy in its config. */
  private configText(cfg: ScenarioHost["ecsConfig"]): string {
    const text = renderEcsConfig(cfg);
    if (this.spec.proxy !== "config") return text;
    return `${text}${text === "" || text.endsWith("\n") ? "" : "\n"}HTTP_PROXY=${PROXY_URL}\n`;
  }

  /**
   * The filesystem each folder of DISK_PATHS is on, as df reports it: one root volume (30 GiB, its use stable per
   * host), and a full folder other than / on a volume of its own (100%, nothing free).
   */
  disk(p: (typeof DISK_PATHS)[number]): Disk {
    const full = this.spec.diskFull;
    if (full !== undefined && full !== "/" && p === full) {
      const kb = 10_475_520;
      return { device: "/dev/nvme1n1", mount: full, kb, kbUsed: kb, inodes: 5_242_880, inodesUsed: 5_242_880 };
    }
    const kb = 31_441_920;
    const n = hashString(`${this.id}/disk`);
    const kbUsed = full === "/" ? kb : Math.round(kb * (0.18 + (n % 40) / 100));
    const inodes = 15_728_640;
    return { device: "/dev/nvme0n1p1", mount: "/", kb, kbUsed, inodes, inodesUsed: 180_000 + (n % 90_000) };
  }

  /** Replays the host's past up to the fleet's creation, then switches to real time (once; on first use). */
  boot() {
    if (this.booted) return;
    this.booted = true;
    // A plain AMI has no ecs-init: nothing starts at boot.
    if (!this.spec.stopped && this.hasEcs && this.spec.ecsUnit === "enabled") {
      this.schedule(this.launchedAt + this.ctx.timing.bootSeconds * 1000, (at) => this.agent.startService(at, "boot"));
    }
    const stopAgo = this.spec.ecsStoppedAgo;
    if (stopAgo !== undefined && !this.spec.stopped && this.hasEcs) {
      // An operator ran `systemctl stop ecs` then (and nobody started it since).
      const at = this.ctx.createdAt - stopAgo * 1000;
      this.advance(at);
      this.agent.stopService(at);
    }
    this.advance(this.ctx.createdAt);
    // From now on ecs.config is the scenario's current file (configAtStart, if any, was what the agent started with).
    this.etcConfig = this.configText(this.spec.ecsConfig);
    this.live = true;
    this.armTimer();
  }

  // --- time -------------------------------------------------------------------------------------------------

  schedule(at: number, fn: (at: number) => void) {
    this.nextEvent = { at, fn };
    if (this.live) this.armTimer();
  }

  cancelScheduled() {
    this.nextEvent = undefined;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  hasScheduled(): boolean {
    return this.nextEvent !== undefined;
  }

  /** Runs every event due at or before `until`, each at its own instant. */
  advance(until: number) {
    for (let guard = 0; this.nextEvent && this.nextEvent.at <= until; guard++) {
      if (guard > 1_000_000) throw new Error(`${this.id}: runaway agent events`);
      const ev = this.nextEvent;
      this.nextEvent = undefined;
      ev.fn(ev.at);
    }
  }

  /** Catches the host up with the wall clock; call before observing or changing it. */
  sync(): number {
    this.boot();
    const now = Date.now();
    this.advance(now);
    if (this.live) this.armTimer();
    this.afterChange();
    return now;
  }

  /** The URL scripts on this host reach introspection at (FLEET_DOCTOR_AGENT_URL). */
  agentUrl(): string {
    const a = this.ctx.agentAddress?.(this);
    return a ? `http://${a.ip}:${a.port}` : `${this.hostUrl()}/agent`;
  }

  /** Opens or closes the host's introspection listener to match the agent (only once scripts run here). */
  afterChange() {
    if (!this.sandbox || this.closed) return;
    const want = this.agent.introspection() !== undefined;
    if (want && !this.agentServer) {
      const a = this.ctx.agentAddress?.(this);
      const serve = this.ctx.serveAgent;
      if (!a || !serve) return;
      const server = http.createServer((req, res) =>
        serve(this, req, res, (req.url ?? "/").replace(/^\/+/, "").split("?")[0]!),
      );
      server.on("error", () => {
        // The address is taken (should not happen: the fleet holds the port): scripts then see "refused".
        if (this.agentServer === server) this.agentServer = undefined;
      });
      server.listen(a.port, a.ip);
      server.unref();
      this.agentServer = server;
    } else if (!want && this.agentServer) {
      const server = this.agentServer;
      this.agentServer = undefined;
      server.close();
      server.closeAllConnections();
    }
  }

  private armTimer() {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.nextEvent || this.closed) return;
    const delay = Math.max(0, Math.min(this.nextEvent.at - Date.now(), 2 ** 31 - 1));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.sync();
    }, delay);
    this.timer.unref();
  }

  close() {
    this.closed = true;
    this.cancelScheduled();
    if (this.agentServer) {
      this.agentServer.close();
      this.agentServer.closeAllConnections();
      this.agentServer = undefined;
    }
  }

  // --- membership -------------------------------------------------------------------------------------------

  /**
   * While replaying the past, events older than this leave nothing behind (24 hourly files are kept), so long
   * stretches of repetitive chatter before it are skipped.
   */
  historyFloor(hours = 26): number {
    return this.live ? Number.NEGATIVE_INFINITY : this.ctx.createdAt - hours * 3600_000;
  }

  /** The first instant after `after` at which the published lifecycle state may change. */
  nextLifecycleChange(after: number): number {
    let next = Number.POSITIVE_INFINITY;
    for (const s of this.stints) {
      for (const t of [s.publishedAt, s.leftAt]) if (t !== undefined && t > after && t < next) next = t;
    }
    return next;
  }

  currentStint(): Stint | undefined {
    const last = this.stints.at(-1);
    return last && last.leftAt === undefined ? last : undefined;
  }

  /** What IMDS answers at `at` for target-lifecycle-state; undefined means 404. */
  lifecycleAt(at: number): string | undefined {
    for (const s of this.stints) {
      if (at >= s.publishedAt && (s.leftAt === undefined || at < s.leftAt)) return s.state;
    }
    return undefined;
  }

  /** The group's view of this host (DescribeAutoScalingInstances), or undefined when in no group. */
  membership(now: number): { group: string; lifecycleState: string; inWarmPool: boolean } | undefined {
    const s = this.currentStint();
    if (!s) return undefined;
    const warm = s.state.startsWith("Warmed:");
    const lifecycleState = now < s.publishedAt ? (warm ? "Warmed:Pending" : "Pending") : s.state;
    return { group: s.group, lifecycleState, inWarmPool: warm };
  }

  groupInstance(now: number, launchTemplate?: GroupInstance["launchTemplate"]): GroupInstance | undefined {
    const m = this.membership(now);
    if (!m) return undefined;
    return {
      instanceId: this.id,
      lifecycleState: m.lifecycleState,
      healthStatus: "Healthy",
      availabilityZone: this.availabilityZone,
      protectedFromScaleIn: false,
      instanceType: this.instanceType,
      launchTemplate: this.launchTemplate ?? launchTemplate,
    };
  }

  /** Terminated by its group: it leaves the group and stops (nothing runs on it any more). */
  terminate(now: number) {
    this.sync();
    for (const s of this.stints) if (s.leftAt === undefined || s.leftAt > now) s.leftAt = now;
    this.terminatedAt = now;
    this.close();
  }

  attach(group: string, now: number) {
    this.sync();
    this.stints.push({
      group,
      state: "InService",
      joinedAt: now,
      publishedAt: now + this.ctx.timing.publishDelaySeconds * 1000,
    });
  }

  detach(now: number) {
    this.sync();
    // Also ends a warm-pool stint still publishing its Warmed:* state while a move to InService is under way.
    for (const s of this.stints) if (s.leftAt === undefined || s.leftAt > now) s.leftAt = now;
  }

  /**
   * The group moves this warmed host to InService: Pending now, InService published `publishDelayMs` later. Until
   * then IMDS keeps answering the Warmed:* state (never a 404, on which a fixed agent that saw a state would die).
   */
  moveToInService(now: number, publishDelayMs: number) {
    this.sync();
    const s = this.currentStint();
    if (!s) return;
    s.leftAt = now + publishDelayMs;
    this.stints.push({ group: s.group, state: "InService", joinedAt: now, publishedAt: now + publishDelayMs });
  }

  /** When the group published InService for this host's current stint (undefined until it has). */
  inServiceAt(now: number): number | undefined {
    const s = this.currentStint();
    return s && s.state === "InService" && s.publishedAt <= now ? s.publishedAt : undefined;
  }

  // --- configuration ----------------------------------------------------------------------------------------

  /** The effective ecs.config as ecs-init reads it now: from the sandbox files when they exist (a script may edit them). */
  effectiveConfig(): Map<string, string> {
    if (this.sandbox) {
      const read = (rel: string) => {
        try {
          return readFileSync(path.join(this.sandbox!, rel), "utf8");
        } catch {
          return undefined;
        }
      };
      this.varLibConfig = read("var/lib/ecs/ecs.config");
      this.etcConfig = read("etc/ecs/ecs.config") ?? "";
    }
    return parseEcsConfig(this.varLibConfig, this.etcConfig);
  }

  rolloverFor(config: Map<string, string>): Rollover {
    const type = config.get("ECS_LOG_ROLLOVER_TYPE")?.trim();
    const kind = type === "size" || type === "date" ? type : defaultRollover(this.spec.agentVersion);
    if (kind === "date") return { type: "date" };
    const mb = Number(config.get("ECS_LOG_MAX_FILE_SIZE_MB") ?? "");
    return { type: "size", maxBytes: Math.round((Number.isFinite(mb) && mb > 0 ? mb : 5) * 1024 * 1024) };
  }

  // --- sandbox ----------------------------------------------------------------------------------------------

  shimDir(): string {
    return path.join(this.sandboxPath(), ".sim", "bin");
  }

  sandboxPath(): string {
    return path.join(this.ctx.sandboxRoot, this.id);
  }

  hostUrl(): string {
    return `${this.ctx.baseUrl}/_hosts/${this.id}`;
  }

  /** Creates the host's folder (once) and keeps it current from then on. */
  materialize(): string {
    if (this.sandbox) return this.sandbox;
    this.boot();
    const root = this.sandboxPath();
    // A plain AMI has no /var/log/ecs (nothing of ECS is installed); /etc/ecs/ecs.config is the user data's.
    const dirs = ["etc/ecs", "var/lib/ecs/data", "tmp", "proc", ".sim/bin", ".sim/run"];
    for (const d of this.hasEcs ? [...dirs, "var/log/ecs", "var/lib/docker"] : dirs)
      mkdirSync(path.join(root, d), { recursive: true });
    if (this.spec.scripts === "hang") {
      // The stalled root volume: /etc/os-release is not in the page cache, so reading it never returns. A FIFO
      // nobody writes to blocks the reader the same way (and, like a D-state read, only a kill ends it).
      execFileSync("mkfifo", [path.join(root, "etc/os-release")]);
    } else writeFileSync(path.join(root, "etc/os-release"), OS_RELEASE[this.spec.os]);
    writeFileSync(path.join(root, "etc/ecs/ecs.config"), this.etcConfig);
    if (this.varLibConfig !== undefined) writeFileSync(path.join(root, "var/lib/ecs/ecs.config"), this.varLibConfig);
    if (this.hasEcs) {
      this.agentLog.attach(path.join(root, "var/log/ecs"));
      this.initLog.attach(path.join(root, "var/log/ecs"));
    }
    for (const [name, text] of Object.entries(shimScripts(this.hostUrl(), this.isDeb))) {
      writeFileSync(path.join(root, ".sim/bin", name), text, { mode: 0o755 });
    }
    this.sandbox = root;
    this.refreshProc(Date.now());
    this.afterChange();
    return root;
  }

  /** /proc/uptime and /proc/stat's btime, for scripts that ask how long the host has been up. */
  refreshProc(now: number) {
    if (!this.sandbox) return;
    const up = Math.max(0, (now - this.launchedAt) / 1000);
    writeFileSync(path.join(this.sandbox, "proc/uptime"), `${up.toFixed(2)} ${(up * 1.9).toFixed(2)}\n`);
    writeFileSync(path.join(this.sandbox, "proc/stat"), `btime ${Math.floor(this.launchedAt / 1000)}\n`);
  }

  osRelease(): string {
    return OS_RELEASE[this.spec.os];
  }
}
