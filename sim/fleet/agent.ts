/**
 * The ECS agent and ecs-init on one host, as a state machine faithful to facts/ecs-agent.md by version:
 * ecs-init (the `ecs` unit's main process) starts the agent container; the agent loads its config, checks the
 * target lifecycle state when ECS_WARM_POOLS_CHECK is on, registers, and answers introspection. Exit 5 is terminal
 * (ecs-init exits 5 and systemd's RestartPreventExitStatus=5 leaves the unit failed); any other exit makes ecs-init
 * retry with back-off, forever.
 */
import { goParseBool } from "./ecs-config.ts";
import type { Host } from "./host.ts";
import { formatLine, goDuration, type Level, type LogFields, type LogFormat } from "./log-format.ts";
import {
  agentVersionString,
  commitOf,
  compareVersions,
  hasCloudInitCheck,
  hasWarmPoolCheck,
  isAffected,
  logsLifecycleDebugLine,
  writesBracketFormat,
} from "./versions.ts";

export type AgentPhase =
  | "not-started"
  | "starting"
  | "waiting-lifecycle"
  | "registering"
  | "registered"
  | "backoff"
  | "exited"
  | "stopped";

export const LIFECYCLE_404 =
  "Could not determine target lifecycle of instance: operation error ec2imds: GetMetadata, http response error StatusCode: 404, request to EC2 IMDS failed";

const LEVELS: Level[] = ["trace", "debug", "info", "warn", "error", "critical"];

function levelFloor(configured: string | undefined): number {
  const map: Record<string, Level> = { debug: "debug", info: "info", warn: "warn", error: "error", crit: "critical" };
  const lvl = map[(configured ?? "info").trim().toLowerCase()] ?? "info";
  return LEVELS.indexOf(lvl);
}

export class Agent {
  phase: AgentPhase = "not-started";
  /** Version of the agent container while it runs. */
  runningVersion: string | undefined;
  containerInstanceArn: string | undefined;
  cluster: string | undefined;
  registeredAt: number | undefined;
  startedAt: number | undefined;
  lastExit: { code: number; at: number } | undefined;
  /** The agent's ACS session: what DescribeContainerInstances reports as agentConnected while registered. */
  acsConnected = false;
  /** A trap host's old story (the affected run, the ACS blip) has been written. */
  private oldRunDone = false;
  private blipDone = false;
  private backoffMs = 0;
  private format: LogFormat = "logfmt";
  private floor = LEVELS.indexOf("info");
  private check = false;
  private rounds404 = 0;
  private sawState = false;

  constructor(private readonly host: Host) {}

  private get version() {
    return this.host.spec.agentVersion;
  }

  private log(at: number, level: Level, msg: string, opts: { module?: string; fields?: LogFields } = {}) {
    if (LEVELS.indexOf(level) < this.floor) return;
    this.host.agentLog.write(at, formatLine(this.format, level, at, msg, opts));
  }

  private initLog(at: number, level: Level, msg: string) {
    const format: LogFormat = writesBracketFormat(this.version) ? "bracket" : "logfmt";
    this.host.initLog.write(at, formatLine(format, level, at, msg));
  }

  /** `systemctl start ecs` (or boot): ExecStartPre, then ecs-init starts the agent container. */
  startService(at: number, _why: "boot" | "start" | "restart") {
    const s = this.host.service;
    if (s.activeState === "active") return;
    if (this.host.spec.docker !== "active") {
      this.preStartWithoutDocker(at);
      return;
    }
    const pre = 2000 + this.host.rng.int(0, 3000);
    s.preStartPid = pre;
    s.execMainPid = s.mainPid = pre + this.host.rng.int(5, 60);
    s.activeState = "active";
    s.subState = "running";
    s.result = "success";
    s.execMainStatus = 0;
    s.execMainCode = 0;
    s.execMainStartAt = at;
    s.execMainExitAt = undefined;
    s.activeEnterAt = at;
    s.inactiveExitAt = at;
    s.stateChangeAt = at;
    this.backoffMs = 0;
    for (const line of [
      "pre-start",
      "pre-start: enabling loopback routing",
      "pre-start: disabling ipv6 router advertisements",
      "pre-start: creating credentials proxy route",
      "pre-start: checking ecs agent container image loaded presence",
      "pre-start: ecs agent container image loaded presence: true",
      "start",
      "Starting Amazon Elastic Container Service Agent",
    ])
      this.initLog(at, "info", line);
    this.phase = "starting";
    if (this.host.spec.fixedTrouble && !this.oldRunDone) {
      this.oldRunDone = true;
      this.host.schedule(at + 1000, (t) => this.oldAffectedRun(t));
      return;
    }
    this.host.schedule(at + 1000, (t) => this.run(t));
  }

  /**
   * Docker is down: ecs-init's pre-start cannot reach it (its ping backs off, then gives up), ExecStartPre fails and
   * systemd (Restart=on-failure) starts the unit again after RestartSec, forever.
   */
  private preStartWithoutDocker(at: number) {
    const s = this.host.service;
    s.activeState = "activating";
    s.subState = "start-pre";
    s.result = "success";
    s.preStartPid = 2000 + this.host.rng.int(0, 3000);
    s.mainPid = 0;
    s.stateChangeAt = at;
    s.inactiveExitAt = at;
    this.phase = "starting";
    const err = "dial unix /var/run/docker.sock: connect: no such file or directory";
    this.initLog(at, "info", "pre-start");
    let t = at;
    for (const wait of [1.16, 2.31, 4.52]) {
      this.initLog(t, "info", `Error connecting to docker, backing off for ${wait}s, error: ${err}`);
      t += wait * 1000;
    }
    this.host.schedule(t, (t2) => {
      this.initLog(t2, "critical", err);
      s.activeState = "activating";
      s.subState = "auto-restart";
      s.result = "exit-code";
      s.stateChangeAt = t2;
      this.phase = "backoff";
      this.scheduleSystemdRestart(t2);
    });
  }

  /** systemd's Restart= after RestartSec=10s: NRestarts counts it. A long loop in the past is only written for its last quarter hour. */
  private scheduleSystemdRestart(from: number) {
    const s = this.host.service;
    // About one start (pre-start, the agent's run, its exit) and RestartSec: the skipped restarts are still counted.
    const cycle = 17_000;
    let next = from + 10_000;
    const floor = this.host.ctx.createdAt - 15 * 60_000;
    if (this.host.historyFloor() <= floor && next < floor) {
      const skipped = Math.floor((floor - next) / cycle);
      s.nRestarts += skipped;
      next += skipped * cycle;
    }
    this.host.schedule(next, (t) => {
      s.nRestarts++;
      s.activeState = "inactive";
      this.startService(t, "restart");
    });
  }

  /**
   * A trap host's past: it first ran an affected 1.89.3 that died on the lifecycle 404 (exit 5, unit failed); an
   * operator upgraded ecs-init and restarted it 70 minutes later, and from then on it is healthy.
   */
  private oldAffectedRun(at: number) {
    const old = "1.89.3";
    this.startedAt = at;
    this.runningVersion = old;
    this.log(at, "info", "Starting Amazon Elastic Container Service Agent", {
      fields: [
        ["version", old],
        ["commit", commitOf(old)],
      ],
    });
    this.log(at, "info", "Loading configuration", { module: "agent.go" });
    this.log(at, "info", `Amazon ECS agent Version: ${old}, Commit: ${commitOf(old)}`, { module: "agent.go" });
    this.log(at + 1000, "info", "Waiting for instance to go InService", { module: "agent.go" });
    this.host.schedule(at + 6000, (t) => {
      this.lifecycleFatal(t);
      this.host.schedule(t + 70 * 60_000, (t2) => this.restartService(t2));
    });
  }

  /** `systemctl stop ecs`: ecs-init stops the agent container and exits cleanly. */
  stopService(at: number) {
    const s = this.host.service;
    this.host.cancelScheduled();
    if (this.runningVersion) {
      this.log(at, "info", "Agent received termination signal: terminated", { module: "termination_handler.go" });
      this.initLog(at, "info", "Agent exited with code 0");
    }
    this.initLog(at, "info", "stop");
    this.runningVersion = undefined;
    this.acsConnected = false;
    this.phase = "stopped";
    if (s.activeState === "active" || s.activeState === "activating") {
      s.activeState = "inactive";
      s.subState = "dead";
      s.result = "success";
      s.execMainCode = 1;
      s.execMainStatus = 0;
      s.execMainExitAt = at;
      s.activeExitAt = at;
      s.inactiveEnterAt = at;
      s.stateChangeAt = at;
      s.mainPid = 0;
    }
  }

  restartService(at: number) {
    if (this.host.service.activeState === "active") this.stopService(at);
    else this.host.cancelScheduled();
    // restart also clears a failed unit (as `reset-failed` would).
    this.startService(at, "restart");
  }

  /** One run of the agent container: config, preconditions, lifecycle check, registration. */
  private run(at: number) {
    const host = this.host;
    const config = host.effectiveConfig();
    this.startedAt = at;
    this.phase = "starting";
    this.runningVersion = this.version;
    this.format = writesBracketFormat(this.version)
      ? "bracket"
      : config.get("ECS_LOG_OUTPUT_FORMAT")?.trim() === "json"
        ? "json"
        : "logfmt";
    this.floor = levelFloor(config.get("ECS_LOGLEVEL"));
    host.agentLog.setRollover(host.rolloverFor(config));
    this.cluster = (config.get("ECS_CLUSTER") ?? "").trim() || "default";
    this.log(at, "info", "Starting Amazon Elastic Container Service Agent", {
      fields: [
        ["version", this.version],
        ["commit", commitOf(this.version)],
      ],
    });
    this.log(at, "info", "Loading configuration", { module: "agent.go" });

    const raw = config.get("ECS_WARM_POOLS_CHECK");
    let check = false;
    if (hasWarmPoolCheck(this.version) && raw !== undefined) {
      const parsed = goParseBool(raw);
      if (parsed === undefined) {
        this.log(
          at,
          "warn",
          `Invalid format for "ECS_WARM_POOLS_CHECK", expected a boolean. err strconv.ParseBool: parsing ${JSON.stringify(raw.trim())}: invalid syntax`,
          { module: "parse.go" },
        );
      } else check = parsed;
    }
    this.check = check;

    const imds = host.spec.imds;
    const failure = host.spec.failure;
    if (host.spec.proxy && !(config.get("AWS_DEFAULT_REGION") ?? "").trim()) {
      // HTTP_PROXY without NO_PROXY: the agent's IMDS requests go to the proxy, which cannot reach 169.254.169.254.
      host.schedule(at + 5000, (t) => {
        this.log(
          t,
          "warn",
          'Unable to communicate with EC2 Metadata service to infer region: operation error ec2imds: GetRegion, canceled, context deadline exceeded: Get "http://169.254.169.254/latest/meta-data/placement/region": proxyconnect tcp: dial tcp 10.0.12.40:3128: i/o timeout',
          { module: "config.go" },
        );
        this.log(t, "critical", "Error loading config: Missing required fields: AWSRegion", { module: "agent.go" });
        this.exit(t, 1);
      });
      return;
    }
    if (host.spec.proxy) {
      // With the region configured the agent gets further, to its credentials, which IMDS serves: through the proxy.
      host.schedule(at + 5000, (t) => {
        this.log(
          t,
          "critical",
          'Error getting valid credentials: failed to refresh cached credentials, no EC2 IMDS role found, operation error ec2imds: GetMetadata, request send failed, Get "http://169.254.169.254/latest/meta-data/iam/security-credentials/": proxyconnect tcp: dial tcp 10.0.12.40:3128: i/o timeout',
          { module: "agent.go" },
        );
        this.exit(t, 1);
      });
      return;
    }
    if ((imds === "hang" || imds === "refuse") && !(config.get("AWS_DEFAULT_REGION") ?? "").trim()) {
      const err =
        imds === "hang"
          ? "operation error ec2imds: GetRegion, canceled, context deadline exceeded"
          : 'operation error ec2imds: GetRegion, exceeded maximum number of attempts, 3, request send failed, Get "http://169.254.169.254/latest/meta-data/placement/region": dial tcp 169.254.169.254:80: connect: connection refused';
      const t = at + (imds === "hang" ? 5000 : 300);
      host.schedule(t, (t2) => {
        this.log(t2, "warn", `Unable to communicate with EC2 Metadata service to infer region: ${err}`, {
          module: "config.go",
        });
        this.log(t2, "critical", "Error loading config: Missing required fields: AWSRegion", { module: "agent.go" });
        this.exit(t2, 1);
      });
      return;
    }
    this.log(at, "info", `Amazon ECS agent Version: ${this.version}, Commit: ${commitOf(this.version)}`, {
      module: "agent.go",
    });
    if (failure === "docker") {
      host.schedule(at + 200, (t) => {
        this.log(t, "error", "Could not get supported docker versions.", { module: "docker_client.go" });
        this.log(
          t,
          "critical",
          "Error creating Docker client: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?",
          { module: "agent.go" },
        );
        this.exit(t, 1);
      });
      return;
    }
    if (failure === "docker-api") {
      // Agents before 1.81.0 ask for Docker API 1.21, which Docker 25 refuses (#4075).
      host.schedule(at + 200, (t) => {
        this.log(
          t,
          "critical",
          "Error creating Docker client: Error response from daemon: client version 1.21 is too old. Minimum supported API version is 1.24, please upgrade your client to a newer version",
          { module: "agent.go" },
        );
        this.exit(t, 1);
      });
      return;
    }
    if (failure === "disk-full") {
      const err = "open /data/agent.db: no space left on device";
      this.log(at, "critical", `Error loading previously saved state: ${err}`, { module: "agent.go" });
      this.log(at, "critical", `Unable to initialize new task engine: ${err}`, { module: "agent.go" });
      this.exit(at, 5);
      return;
    }
    if (failure === "credentials") {
      host.schedule(at + 200, (t) => {
        this.log(
          t,
          "critical",
          "Error getting valid credentials: failed to refresh cached credentials, no EC2 IMDS role found, operation error ec2imds: GetMetadata, http response error StatusCode: 404, request to EC2 IMDS failed",
          { module: "agent.go" },
        );
        this.exit(t, 1);
      });
      return;
    }
    if (failure === "cloud-init" && hasCloudInitCheck(this.version)) {
      this.log(
        at,
        "critical",
        "Cloud-init failure detected: cloud-init status: error. Userdata was not executed during instance boot. Refusing to start with potentially incorrect config.",
        { module: "agent.go" },
      );
      this.exit(at, 5);
      return;
    }
    if (failure === "cgroups") {
      this.log(
        at,
        "critical",
        "Unable to initialize cgroup root for ECS: cgroup create: unable to create controller: mkdir /sys/fs/cgroup/ecs: read-only file system",
        { module: "agent.go" },
      );
      this.exit(at, 5);
      return;
    }
    if (failure === "state-mismatch") {
      const msg = `Data mismatch; saved cluster 'legacy' does not match configured cluster '${this.cluster}'. Perhaps you want to delete the configured checkpoint file?`;
      this.log(at, "critical", msg, { module: "agent.go" });
      this.log(at, "critical", `Unable to initialize new task engine: ${msg}`, { module: "agent.go" });
      this.exit(at, 5);
      return;
    }
    this.log(at, "info", "Event stream ContainerChange start listening...", { module: "eventstream.go" });
    if (check) {
      host.schedule(at + 1000, (t) => this.waitForInService(t));
    } else {
      host.schedule(at + 1000, (t) => this.register(t));
    }
  }

  private waitForInService(at: number) {
    this.phase = "waiting-lifecycle";
    this.rounds404 = 0;
    this.sawState = false;
    this.log(at, "info", "Waiting for instance to go InService", { module: "agent.go" });
    const state = this.host.lifecycleAt(at);
    if (state === "InService") {
      this.host.schedule(at + 200, (t) => this.register(t));
      return;
    }
    if (state === undefined && isAffected(this.version)) {
      // The regression: the SDK v2 404 is not recognised as "not yet", so the first one is fatal.
      const failAt = at + this.host.ctx.timing.lifecycleFailureSeconds * 1000;
      this.host.schedule(failAt, (t) => this.lifecycleFatal(t));
      return;
    }
    if (state !== undefined) this.sawState = true;
    else this.rounds404 = 1;
    this.scheduleRound(at);
  }

  private scheduleRound(from: number) {
    const poll = this.host.ctx.timing.pollSeconds * 1000;
    let next = from + poll;
    // Replaying days of waiting on a Warmed:* state: only the last few hours of rounds are written down (up to any
    // change of state), which keeps large fleets cheap to load.
    const floor = Math.min(this.host.historyFloor(3), this.host.nextLifecycleChange(from));
    if (this.sawState && next < floor) next += Math.floor((floor - next) / poll) * poll;
    this.host.schedule(next, (t) => this.round(t));
  }

  private round(at: number) {
    const state = this.host.lifecycleAt(at);
    if (logsLifecycleDebugLine(this.version)) {
      this.log(at, "debug", `Target lifecycle state of instance: ${state ?? ""}`, { module: "agent.go" });
    }
    if (state === "InService") {
      this.register(at);
      return;
    }
    if (state === undefined) {
      // A 404 after a state was once seen is fatal even in fixed versions; so is one lasting past the rounds.
      this.rounds404++;
      if (this.sawState || isAffected(this.version) || this.rounds404 > this.host.ctx.timing.maxPollRounds) {
        this.lifecycleFatal(at);
        return;
      }
    } else this.sawState = true;
    this.log(
      at,
      "error",
      'health check [HEAD http://localhost:51678/v1/metadata] failed with error: Head "http://localhost:51678/v1/metadata": dial tcp 127.0.0.1:51678: connect: connection refused',
      { module: "healthcheck.go" },
    );
    this.scheduleRound(at);
  }

  private lifecycleFatal(at: number) {
    this.log(at, "critical", LIFECYCLE_404, { module: "agent.go" });
    this.exit(at, 5);
  }

  private register(at: number) {
    const host = this.host;
    this.phase = "registering";
    if (this.containerInstanceArn) this.log(at, "info", "Restored from checkpoint file", { module: "agent.go" });
    this.log(at, "info", "Registering Instance with ECS", { module: "agent.go" });
    this.log(at, "info", `Remaining mem: ${host.instanceType.startsWith("t") ? 1900 : 7680}`, { module: "client.go" });
    const refused = this.registrationRefused(at);
    if (refused !== undefined) {
      this.exit(at, refused);
      return;
    }
    if (host.spec.failure === "registration") {
      const err = `AccessDeniedException: User: arn:aws:sts::${host.ctx.accountId}:assumed-role/ecsInstanceRole/${host.id} is not authorized to perform: ecs:RegisterContainerInstance on resource: arn:aws:ecs:${host.ctx.region}:${host.ctx.accountId}:cluster/${this.cluster}`;
      this.log(at, "error", "Unable to register as a container instance with ECS", {
        fields: [["error", err]],
      });
      this.log(at, "error", "Error registering container instance", { fields: [["error", err]] });
      this.log(at, "critical", `Agent will terminally exit, unable to register container instance: ${err}`, {
        module: "agent.go",
      });
      this.exit(at, 5);
      return;
    }
    this.containerInstanceArn ??= `arn:aws:ecs:${host.ctx.region}:${host.ctx.accountId}:container-instance/${this.cluster}/${host.rng.hex(32)}`;
    this.log(at, "info", "Registered container instance with cluster!", { module: "client.go" });
    this.log(at, "info", "Instance registration completed successfully", {
      fields: [
        ["instanceArn", this.containerInstanceArn],
        ["cluster", this.cluster ?? "default"],
      ],
    });
    this.log(at, "info", "Beginning Polling for updates", { module: "agent.go" });
    this.phase = "registered";
    this.registeredAt = at;
    this.log(at, "info", "Connected to ACS endpoint", { module: "session.go" });
    this.acsConnected = true;
    if (host.spec.acs === "disconnected") host.schedule(at + 5 * 60_000, (t) => this.loseAcs(t));
    else if (host.spec.fixedTrouble && !this.blipDone) host.schedule(at + 10 * 60_000, (t) => this.acsBlip(t));
    else this.scheduleChatter(at);
  }

  /** The failures RegisterContainerInstance answers with: lines written, and the exit code; undefined when it works. */
  private registrationRefused(at: number): number | undefined {
    const failure = this.host.spec.failure;
    const cluster = this.cluster ?? "default";
    if (failure === "cluster-not-found") {
      const err = "ClientException: Cluster not found.";
      const terminal = compareVersions(this.version, "1.89.3") >= 0;
      this.log(at, "error", `Unable to register as a container instance with ECS: ${err}`, { module: "client.go" });
      if (terminal)
        this.log(at, "error", "Received terminal error from RegisterContainerInstance call, exiting", {
          fields: [["error", err]],
        });
      this.log(at, "error", "Error registering container instance", { fields: [["error", err]] });
      if (!terminal) return 1;
      this.log(at, "critical", `Agent will terminally exit, unable to register container instance: ${err}`, {
        module: "agent.go",
      });
      return 5;
    }
    if (failure === "clock-skew") {
      const ahead = (x: number) => new Date(at + x).toISOString().replace(/[-:]|\.\d+/g, "");
      const err = `InvalidSignatureException: Signature not yet current: ${ahead(600_000)} is still later than ${ahead(300_000)} (${ahead(0)} + 5 min.)\n\tstatus code: 400, request id: ${this.host.rng.hex(8)}-${this.host.rng.hex(4)}-${this.host.rng.hex(4)}-${this.host.rng.hex(4)}-${this.host.rng.hex(12)}`;
      this.log(at, "error", `Unable to register as a container instance with ECS: ${err}`, { module: "client.go" });
      this.log(at, "error", "Error registering container instance", { fields: [["error", err]] });
      return 1;
    }
    if (failure === "instance-type") {
      // Stopped, resized, started: the saved registration is re-registered with the new type, which ECS refuses.
      const arn = `arn:aws:ecs:${this.host.ctx.region}:${this.host.ctx.accountId}:container-instance/${cluster}/${this.host.rng.hex(32)}`;
      const err = "InvalidParameterException: Container instance type changes are not supported.";
      this.log(at, "info", "Restored from checkpoint file", {
        fields: [
          ["containerInstanceARN", arn],
          ["cluster", cluster],
        ],
      });
      this.log(at, "error", "Error re-registering container instance", { fields: [["error", err]] });
      this.log(
        at,
        "critical",
        `The current instance type does not match the registered instance type. Please revert the instance type change, or alternatively launch a new instance: ${err}`,
        { module: "agent.go" },
      );
      return 5;
    }
    return undefined;
  }

  /** The connection to ECS goes quiet, is closed, and every reconnection fails from then on. */
  private loseAcs(at: number) {
    this.acsConnected = false;
    this.log(at, "warn", "ACS Connection hasn't had any activity for too long; closing connection", {
      module: "session.go",
    });
    this.log(at, "info", "Disconnected from ACS", { module: "session.go" });
    this.acsRetry(at + 1000);
  }

  private acsRetry(at: number) {
    this.log(at, "error", "Failed to connect to ACS", {
      fields: [
        [
          "error",
          `websocket client: unable to dial ecs-a-1.${this.host.ctx.region}.amazonaws.com response: : dial tcp 10.0.3.17:443: i/o timeout`,
        ],
      ],
    });
    // The agent backs off up to about 4 minutes; in the past only the last hours are written down.
    const gap = 4 * 60_000;
    const floor = this.host.historyFloor(3);
    const next = at + gap < floor ? floor + ((at + gap) % gap) : at + gap;
    this.host.schedule(next, (t) => this.acsRetry(t));
  }

  /** A trap host's one lost connection, long fixed: a failure, then connected again a minute later. */
  private acsBlip(at: number) {
    this.blipDone = true;
    this.log(at, "error", "Failed to connect to ACS", {
      fields: [["error", "websocket: close 1006 (abnormal closure): unexpected EOF"]],
    });
    this.acsConnected = false;
    this.host.schedule(at + 60_000, (t) => {
      this.log(t, "info", "Connected to ACS endpoint", { module: "session.go" });
      this.acsConnected = true;
      this.scheduleChatter(t);
    });
  }

  /** A registered agent keeps talking: some lines every couple of hours, so rotated files exist as on a real host. */
  private scheduleChatter(from: number) {
    const gap = (100 + this.host.rng.int(0, 40)) * 60_000;
    const floor = this.host.historyFloor();
    const next = from + gap < floor ? floor + (gap % 3_600_000) : from + gap;
    this.host.schedule(next, (t) => {
      this.log(t, "info", "TCS Websocket connection closed for a valid reason", { module: "tcs_handler.go" });
      this.log(t, "info", "Establishing a Websocket connection", {
        fields: [["url", `https://ecs-t-1.${this.host.ctx.region}.amazonaws.com/ws`]],
      });
      this.log(t, "info", "Managed task events sent", { fields: [["count", "0"]] });
      this.scheduleChatter(t);
    });
  }

  private exit(at: number, code: number) {
    const s = this.host.service;
    this.runningVersion = undefined;
    this.lastExit = { code, at };
    this.phase = code === 5 ? "exited" : "backoff";
    const t = at + 300;
    this.initLog(t, "info", `Agent exited with code ${code}`);
    this.acsConnected = false;
    if (code === 5 && this.host.isDeb) {
      // The generic deb's unit has no RestartPreventExitStatus=5: ecs-init exits 5 and systemd starts it again.
      this.initLog(t, "error", `agent exited with terminal exit code: ${code}`);
      s.activeState = "activating";
      s.subState = "auto-restart";
      s.result = "exit-code";
      s.execMainStatus = 5;
      s.execMainCode = 1;
      s.execMainExitAt = t;
      s.stateChangeAt = t;
      s.mainPid = 0;
      this.scheduleSystemdRestart(t);
      return;
    }
    if (code === 5) {
      this.initLog(t, "error", `agent exited with terminal exit code: ${code}`);
      s.activeState = "failed";
      s.subState = "failed";
      s.result = "exit-code";
      s.execMainStatus = 5;
      s.execMainCode = 1;
      s.execMainExitAt = t;
      s.activeExitAt = t;
      s.inactiveEnterAt = t;
      s.stateChangeAt = t;
      s.mainPid = 0;
      return;
    }
    // ecs-init's StartSupervised back-off: 500 ms doubling to 15 s, 10% jitter, never reset while it supervises.
    const capMs = this.host.ctx.timing.initRetryMaxSeconds * 1000;
    this.backoffMs = this.backoffMs === 0 ? 500 : Math.min(capMs, this.backoffMs * 2);
    const delay = Math.min(capMs, this.backoffMs * (0.9 + this.host.rng.next() * 0.2));
    this.initLog(t, "warn", `ECS Agent failed to start, retrying in ${goDuration(delay, this.host.rng.int(0, 999))}`);
    // Replaying a long retry loop: only its last quarter hour is worth writing down.
    const floor = this.host.ctx.createdAt - 15 * 60_000;
    const next = t + delay;
    this.host.schedule(this.host.historyFloor() > floor || next >= floor ? next : floor + (next % capMs), (t2) =>
      this.run(t2),
    );
  }

  /** What `GET /v1/metadata` answers, or undefined when nothing listens (not running or not registered). */
  introspection(): { Cluster: string; ContainerInstanceArn: string; Version: string } | undefined {
    if (this.phase !== "registered" || !this.runningVersion || !this.containerInstanceArn) return undefined;
    return {
      Cluster: this.cluster ?? "default",
      ContainerInstanceArn: this.containerInstanceArn,
      Version: agentVersionString(this.runningVersion),
    };
  }

  get checkEnabled() {
    return this.check;
  }
}
