/**
 * The scenario file format: a fleet of hosts, the Auto Scaling groups they belong to, and timing. Validated at load
 * so a bad file gets an error naming the field. Durations are relative to the moment the fleet is created
 * ("launched 3 hours ago"), so a scenario never goes stale.
 */
import { z } from "zod";
import { parseDuration } from "./duration.ts";
import { parseVersion } from "./versions.ts";

/** The design's verdicts (design.md), repeated here because sim/ never imports lib/. */
export const EXPECTED_VERDICTS = [
  "healthy",
  "lifecycle-404:ready",
  "lifecycle-404:blocked",
  "lifecycle-404:warmed",
  "waiting",
  "at-risk",
  "agent-failed",
  "disconnected",
  "imds-unreachable",
  "ssm-unreachable",
  "probe-failed",
  "unknown",
] as const;

/** Target lifecycle states an instance can have in a group (the ones IMDS can publish, plus the transitional ones). */
export const LIFECYCLE_STATES = [
  "Pending",
  "InService",
  "Standby",
  "Detached",
  "Terminated",
  "Warmed:Pending",
  "Warmed:Stopped",
  "Warmed:Running",
  "Warmed:Hibernated",
  "Warmed:Terminated",
] as const;

export const FAILURE_KINDS = [
  "credentials",
  "docker",
  "registration",
  "state-mismatch",
  "cgroups",
  "cloud-init",
  /** ECS_CLUSTER names a cluster that does not exist: terminal (exit 5) since 1.89.3, retried before. */
  "cluster-not-found",
  /** An agent before 1.81.0 under a Docker that refuses its API version 1.21: exit 1, retried forever. */
  "docker-api",
  /** The agent cannot save its state: `no space left on device` (set diskFull too, or / is the full one). */
  "disk-full",
  /** The clock is ahead: `InvalidSignatureException: Signature not yet current` (agents on the old SDK, before 1.91.0). */
  "clock-skew",
  /** Stopped, resized and started: the saved registration's instance type no longer matches (exit 5). */
  "instance-type",
] as const;

/** The folders the agent writes to, as the probe's `df` asks for them. */
export const DISK_PATHS = ["/", "/var/lib/docker", "/var/lib/ecs"] as const;

/** The host's OS: Amazon Linux (the rpm and its unit) or Debian/Ubuntu (the generic deb: no rpm, another unit). */
export const OS_KINDS = ["al2023", "al2", "debian", "ubuntu"] as const;
export const isDebOs = (os: string) => os === "debian" || os === "ubuntu";
export type FailureKind = (typeof FAILURE_KINDS)[number];

/** How the host's IMDS behaves: tokens optional (v1 allowed), required (v2 only), or off (hangs / refuses). */
export const IMDS_MODES = ["optional", "required", "hang", "refuse"] as const;
export type ImdsMode = (typeof IMDS_MODES)[number];

/**
 * The image the host runs: the ECS-optimized AMI (ecs-init, the `ecs` unit, Docker), or a stock Amazon Linux AMI
 * with none of them (a launch template pointed at the wrong image, or a bastion that shares the fleet's tags).
 */
export const AMI_KINDS = ["ecs-optimized", "plain"] as const;

/**
 * How scripts that SSM runs fare on the host: they run; they hang (the root volume stalled: a read of a file not in
 * the page cache never returns, so the probe is killed at executionTimeout); or they cannot start (the volume holding
 * /var/lib/amazon/ssm is mounted noexec by a hardened image: `sh` gets Permission denied, exit 126).
 */
export const SCRIPT_MODES = ["run", "hang", "noexec"] as const;
export type ScriptMode = (typeof SCRIPT_MODES)[number];

const duration = z
  .union([z.number(), z.string()])
  .refine((v) => parseDuration(v) !== undefined, {
    message: "expected a duration: seconds, or like 90s, 5m, 2h, 1h30m, 3d",
  })
  .transform((v) => parseDuration(v)!);

const version = z.string().refine((v) => parseVersion(v) !== undefined, { message: "expected a version like 1.89.3" });

const ecsConfig = z.union([z.string(), z.record(z.string(), z.string())]);
const tags = z.record(z.string(), z.string());

const timingSchema = z.strictObject({
  /** Between `Waiting for instance to go InService` and the critical 404 line of an affected agent (real: ~5 s). */
  lifecycleFailureSeconds: z.number().min(0).max(600).default(5),
  /** After AttachInstances, how long until IMDS publishes the target lifecycle state. */
  publishDelaySeconds: z.number().min(0).max(3600).default(30),
  /** From launch to ecs-init starting the agent. */
  bootSeconds: z.number().min(0).max(3600).default(20),
  /** A fixed agent's polling period while it waits for InService (real: 60 s). */
  pollSeconds: z.number().min(0.01).max(3600).default(60),
  /** How many 404 rounds a fixed agent waits before giving up (real: 120, about two hours). */
  maxPollRounds: z.number().int().min(1).max(10000).default(120),
  /** ecs-init's retry back-off cap after a non-terminal agent exit (real: 15 s, from 500 ms doubling). */
  initRetryMaxSeconds: z.number().min(0.5).max(3600).default(15),
  /** Default SSM delivery latency spread, for hosts that do not set their own. */
  deliveryMs: z
    .strictObject({ min: z.number().int().min(0).max(600_000), max: z.number().int().min(0).max(600_000) })
    .default({ min: 150, max: 900 }),
});

const warmPoolSchema = z.strictObject({
  poolState: z.enum(["Stopped", "Running", "Hibernated"]).default("Running"),
  minSize: z.number().int().min(0).default(0),
  maxGroupPreparedCapacity: z.number().int().min(-1).optional(),
});

/** A duration that must be positive (a schedule's period). */
const period = duration.refine((v) => v > 0, { message: "must be more than 0 seconds" });

/**
 * What a group launches at runtime (its launch template, as far as the agent is concerned). Instances it launches
 * boot with this, and the group publishes their target lifecycle state publishDelaySeconds after launch: longer than
 * bootSeconds plus a second or two, and an affected agent with the check on dies on the 404 before it is published.
 */
export const launchSchema = z.strictObject({
  agentVersion: version.default("1.91.1"),
  os: z.enum(OS_KINDS).default("al2023"),
  ami: z.enum(AMI_KINDS).default("ecs-optimized"),
  arch: z.enum(["x86_64", "aarch64"]).default("x86_64"),
  /** Defaults to the group's instanceType. */
  instanceType: z.string().optional(),
  /** /etc/ecs/ecs.config of launched instances (the user data's): raw text or key/value pairs. */
  ecsConfig: ecsConfig.default({ ECS_CLUSTER: "default", ECS_WARM_POOLS_CHECK: "true" }),
  instanceEcsConfig: ecsConfig.optional(),
  imds: z.enum(IMDS_MODES).default("required"),
  /** SSM delivery latency (ms) of launched instances; defaults to a value in timing.deliveryMs. */
  latencyMs: z.number().int().min(0).max(600_000).optional(),
  tags: tags.default({}),
  /** Launch -> the group publishes the target lifecycle state (defaults to timing.publishDelaySeconds). */
  publishDelaySeconds: z.number().min(0).max(3600).optional(),
  /** The verdict the design expects for a launched instance once its agent has had its chance. */
  expect: z.enum(EXPECTED_VERDICTS).optional(),
});

/** Launch `count` instances every `every` (the first after `startAfter`, default `every`), `max` in all. */
const scaleOutSchema = z.strictObject({
  every: period,
  count: z.number().int().min(1).max(100).default(1),
  into: z.enum(["in-service", "warm-pool"]).default("in-service"),
  /** The most instances this schedule launches in all (maxSize caps the group anyway). */
  max: z.number().int().min(0).optional(),
  startAfter: duration.optional(),
});

/** Move `count` warmed instances to InService every `every` (oldest first), `max` in all. */
const moveToInServiceSchema = z.strictObject({
  every: period,
  count: z.number().int().min(1).max(100).default(1),
  max: z.number().int().min(0).optional(),
  startAfter: duration.optional(),
});

const groupSchema = z.strictObject({
  name: z.string().regex(/^[\w\-.:/@ ]{1,255}$/, "expected 1-255 letters, digits, spaces or -_.:/@"),
  minSize: z.number().int().min(0).default(0),
  maxSize: z.number().int().min(0).default(100),
  /** Defaults to the number of members (not counting the warm pool). */
  desiredCapacity: z.number().int().min(0).optional(),
  availabilityZones: z.array(z.string().min(1)).min(1).default(["us-east-1a", "us-east-1b", "us-east-1c"]),
  instanceType: z.string().default("m5.large"),
  launchTemplate: z.strictObject({ id: z.string(), name: z.string(), version: z.string() }).optional(),
  createdAgo: duration.default(30 * 86400),
  tags: tags.default({}),
  warmPool: warmPoolSchema.optional(),
  /** What the group launches at runtime (scaleOut, or POST /_sim/groups/:name/launch); defaults apply when absent. */
  launch: launchSchema.optional(),
  scaleOut: scaleOutSchema.optional(),
  /** A warm pool's schedule of moves to InService. */
  moveToInService: moveToInServiceSchema.optional(),
});

const membershipSchema = z.strictObject({
  name: z.string(),
  /** The state the group publishes for this host (IMDS target-lifecycle-state); `Warmed:*` puts it in the warm pool. */
  state: z.enum(LIFECYCLE_STATES).default("InService"),
  /** When the host was attached; omitted means the group launched it (state published before the agent starts). */
  joinedAgo: duration.optional(),
  /** When it was detached; it is then in no group and IMDS answers 404 again. */
  detachedAgo: duration.optional(),
});

const ssmSchema = z.strictObject({
  pingStatus: z.enum(["Online", "ConnectionLost", "Inactive"]).default("Online"),
  /** How an invocation ends when the SSM agent is offline. */
  whenOffline: z.enum(["undeliverable", "delivery-timeout"]).default("undeliverable"),
  agentVersion: z.string().default("3.3.1611.0"),
  /** Since when the SSM agent has not pinged (ConnectionLost hosts). */
  lastPingAgo: duration.optional(),
});

export const hostSchema = z.strictObject({
  id: z.string().regex(/^i-([0-9a-f]{8}|[0-9a-f]{17})$/, "expected an instance id like i-0123456789abcdef0"),
  /** The Name tag. */
  name: z.string().optional(),
  agentVersion: version,
  os: z.enum(OS_KINDS).default("al2023"),
  /** "plain": no ecs-init, no `ecs` unit, no Docker, no agent logs (agentVersion is then only the AMI's label). */
  ami: z.enum(AMI_KINDS).default("ecs-optimized"),
  scripts: z.enum(SCRIPT_MODES).default("run"),
  arch: z.enum(["x86_64", "aarch64"]).default("x86_64"),
  instanceType: z.string().optional(),
  availabilityZone: z.string().optional(),
  privateIp: z.ipv4().optional(),
  launchedAgo: duration,
  /** /etc/ecs/ecs.config: raw text (kept byte for byte: CRLF, quotes, comments) or key/value pairs. */
  ecsConfig: ecsConfig.default({ ECS_CLUSTER: "default" }),
  /** /var/lib/ecs/ecs.config (read first, overridden by /etc/ecs/ecs.config). */
  instanceEcsConfig: ecsConfig.optional(),
  /** The /etc/ecs/ecs.config the running agent was started with, when the file has changed since. */
  configAtStart: ecsConfig.optional(),
  group: membershipSchema.optional(),
  imds: z.enum(IMDS_MODES).default("required"),
  /** A startup failure other than the lifecycle check. */
  failure: z.enum(FAILURE_KINDS).optional(),
  /** docker.service: running, failed (it crashed) or inactive (never started); the ecs unit then loops in auto-restart. */
  docker: z.enum(["active", "failed", "inactive"]).default("active"),
  /** A folder whose filesystem is full (100%, no block free); /var/lib/docker and /var/lib/ecs are then their own volume. */
  diskFull: z.enum(DISK_PATHS).optional(),
  /** HTTP_PROXY set without NO_PROXY: in ecs.config (the agent's environment) or in the ecs unit's Environment. */
  proxy: z.enum(["config", "unit"]).optional(),
  /** The ecs unit's enablement: "disabled" and never started (no agent log at all, inactive dead). */
  ecsUnit: z.enum(["enabled", "disabled"]).default("enabled"),
  /**
   * ACS, the agent's connection to ECS once registered: "disconnected" loses it (the idle line, then `Failed to
   * connect to ACS` with no reconnection) and DescribeContainerInstances shows agentConnected false.
   */
  acs: z.enum(["connected", "disconnected"]).default("connected"),
  /**
   * A trap for the diagnosis: the agent first ran as an affected 1.89.3 that died on the lifecycle 404 and lost ACS
   * once; an upgrade and a restart later it registered and connected. Old lines stay in the rotated logs.
   */
  fixedTrouble: z.literal("lifecycle-404").optional(),
  ssm: ssmSchema.default({ pingStatus: "Online", whenOffline: "undeliverable", agentVersion: "3.3.1611.0" }),
  stopped: z.boolean().default(false),
  /** When an operator ran `systemctl stop ecs` (the unit is then inactive, dead, Result=success). */
  ecsStoppedAgo: duration.optional(),
  /** SSM delivery latency for this host (ms); defaults to a value in timing.deliveryMs. */
  latencyMs: z.number().int().min(0).max(600_000).optional(),
  tags: tags.default({}),
  /** The verdict the design expects Fleet Doctor to reach for this host. */
  expect: z.enum(EXPECTED_VERDICTS).optional(),
  /** Free text: why this host is in the scenario. */
  note: z.string().optional(),
});

/** The checks of one fleet's groups and hosts (the scenario's own, and each account's per region). */
function checkFleet(
  s: { groups: z.output<typeof groupSchema>[]; hosts: z.output<typeof hostSchema>[] },
  ctx: z.RefinementCtx,
): void {
  const groups = new Map(s.groups.map((g) => [g.name, g]));
  const seenGroups = new Set<string>();
  s.groups.forEach((g, i) => {
    if (seenGroups.has(g.name))
      ctx.addIssue({ code: "custom", path: ["groups", i, "name"], message: `duplicate group '${g.name}'` });
    seenGroups.add(g.name);
    if (g.minSize > g.maxSize)
      ctx.addIssue({ code: "custom", path: ["groups", i, "minSize"], message: "must not exceed maxSize" });
    if (g.scaleOut?.into === "warm-pool" && !g.warmPool)
      ctx.addIssue({
        code: "custom",
        path: ["groups", i, "scaleOut", "into"],
        message: `group '${g.name}' has no warm pool`,
      });
    if (g.moveToInService && !g.warmPool)
      ctx.addIssue({
        code: "custom",
        path: ["groups", i, "moveToInService"],
        message: `group '${g.name}' has no warm pool to move instances from`,
      });
  });
  const seen = new Set<string>();
  s.hosts.forEach((h, i) => {
    if (seen.has(h.id)) ctx.addIssue({ code: "custom", path: ["hosts", i, "id"], message: `duplicate host '${h.id}'` });
    seen.add(h.id);
    if (h.ami === "plain" && h.failure)
      ctx.addIssue({
        code: "custom",
        path: ["hosts", i, "failure"],
        message: "a plain AMI has no ECS agent to fail (remove failure or use the ecs-optimized AMI)",
      });
    const issue = (field: string, message: string) =>
      ctx.addIssue({ code: "custom", path: ["hosts", i, field], message });
    if (h.ami === "plain") {
      const ecsOnly = [
        ["docker", h.docker !== "active"],
        ["diskFull", h.diskFull !== undefined],
        ["proxy", h.proxy !== undefined],
        ["ecsUnit", h.ecsUnit !== "enabled"],
        ["acs", h.acs !== "connected"],
        ["fixedTrouble", h.fixedTrouble !== undefined],
      ] as const;
      for (const [field, set] of ecsOnly)
        if (set)
          issue(field, "a plain AMI has no ECS agent, ecs unit or Docker (remove it or use the ecs-optimized AMI)");
    }
    if (isDebOs(h.os) && h.ami === "plain")
      issue("ami", "the plain AMI is Amazon Linux: a Debian or Ubuntu host is the deb install");
    if (h.failure === "disk-full" && h.diskFull === undefined)
      issue("diskFull", 'a disk-full failure needs the full folder: set diskFull (e.g. "/var/lib/ecs")');
    const v = parseVersion(h.agentVersion);
    const before = (x: [number, number, number]) => !!v && (v[0] - x[0] || v[1] - x[1] || v[2] - x[2]) < 0;
    if (h.failure === "docker-api" && !before([1, 81, 0]))
      issue("failure", "docker-api needs an agent before 1.81.0 (1.81.0 and later negotiate the Docker API version)");
    if (h.failure === "cloud-init" && before([1, 105, 0]))
      issue("failure", "cloud-init needs agent 1.105.0 or later (earlier agents do not check cloud-init)");
    if (h.failure === "clock-skew" && !before([1, 91, 0]))
      issue("failure", "clock-skew needs an agent on the old SDK (before 1.91.0: newer ones correct the skew)");
    if (
      h.ecsUnit === "disabled" &&
      (h.failure || h.acs !== "connected" || h.fixedTrouble || h.ecsStoppedAgo !== undefined)
    )
      issue("ecsUnit", "a disabled unit never ran: it cannot also fail, lose ACS, have old trouble or be stopped");
    if (h.acs === "disconnected" && (h.failure || h.docker !== "active"))
      issue("acs", "a disconnected agent is registered and running: no failure, Docker active");
    if (h.fixedTrouble && (h.failure || h.docker !== "active" || h.launchedAgo < 3 * 3600))
      issue(
        "fixedTrouble",
        "a trap host is healthy now (no failure, Docker active) and launched 3h or more ago (old lines in rotated files)",
      );
    if (h.ecsStoppedAgo !== undefined && (h.ami === "plain" || h.ecsStoppedAgo >= h.launchedAgo))
      ctx.addIssue({
        code: "custom",
        path: ["hosts", i, "ecsStoppedAgo"],
        message: h.ami === "plain" ? "a plain AMI has no ecs service to stop" : "must be less than launchedAgo",
      });
    if (!h.group) return;
    const g = groups.get(h.group.name);
    if (!g) {
      ctx.addIssue({ code: "custom", path: ["hosts", i, "group", "name"], message: `no group '${h.group.name}'` });
      return;
    }
    if (h.group.state.startsWith("Warmed:") && !g.warmPool)
      ctx.addIssue({
        code: "custom",
        path: ["hosts", i, "group", "state"],
        message: `group '${g.name}' has no warm pool`,
      });
    if (h.group.joinedAgo !== undefined && h.group.joinedAgo > h.launchedAgo)
      ctx.addIssue({
        code: "custom",
        path: ["hosts", i, "group", "joinedAgo"],
        message: "must not exceed launchedAgo",
      });
    const joined = h.group.joinedAgo ?? h.launchedAgo;
    if (h.group.detachedAgo !== undefined && h.group.detachedAgo > joined)
      ctx.addIssue({
        code: "custom",
        path: ["hosts", i, "group", "detachedAgo"],
        message: "must not exceed joinedAgo (or launchedAgo)",
      });
  });
}

const regionSchema = z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, "expected a region like us-east-1");
const accountIdSchema = z.string().regex(/^\d{12}$/, "expected 12 digits");

/**
 * An IAM role Fleet Doctor may assume (STS AssumeRole). `trustedBy`: who its trust policy lets in: an account id
 * (any principal of that account, as `arn:aws:iam::<id>:root` means) or a role ARN (sessions of that role: role
 * chaining). An empty list trusts nobody, so every AssumeRole is AccessDenied.
 */
const roleSchema = z.strictObject({
  name: z.string().regex(/^[\w+=,.@-]{1,64}$/, "expected a role name (1-64 letters, digits or +=,.@_-)"),
  trustedBy: z
    .array(
      z
        .string()
        .regex(
          /^(\d{12}|arn:aws:iam::\d{12}:(root|role\/[\w+=,.@-]{1,64}))$/,
          "expected an account id or arn:aws:iam::<account>:role/<name>",
        ),
    )
    .default([]),
  /** The sts:ExternalId its trust policy requires (AccessDenied without it, or with another). */
  externalId: z
    .string()
    .regex(/^[\w+=,.@:/-]{2,1224}$/, "expected 2-1224 letters, digits or +=,.@:/_-")
    .optional(),
  /** The longest DurationSeconds AssumeRole grants (IAM's MaxSessionDuration, default one hour). */
  maxSessionDuration: z.number().int().min(3600).max(43200).default(3600),
});

/** One region of a member account: its hosts and groups (its own timing, or the scenario's). */
const memberFleetSchema = z
  .strictObject({
    region: regionSchema,
    timing: timingSchema.optional(),
    groups: z.array(groupSchema).default([]),
    hosts: z.array(hostSchema).default([]),
  })
  .superRefine(checkFleet);

const accountSchema = z.strictObject({
  id: accountIdSchema,
  /** Organizations' account name (ListAccounts). */
  name: z.string().min(1).max(50),
  email: z.string().min(6).max(64).optional(),
  /** The OU it is in (organization.units[].id), or the root when absent. */
  parent: z.string().optional(),
  joinedAgo: duration.default(365 * 86400),
  roles: z.array(roleSchema).default([]),
  fleets: z.array(memberFleetSchema).default([]),
});

/** AWS Organizations as the management account (the scenario's accountId) sees it. */
const organizationSchema = z.strictObject({
  id: z
    .string()
    .regex(/^o-[a-z0-9]{10,32}$/, "expected an organization id like o-a1b2c3d4e5")
    .default("o-fleetdoc01"),
  rootId: z
    .string()
    .regex(/^r-[0-9a-z]{4,32}$/, "expected a root id like r-a1b2")
    .default("r-root"),
  managementName: z.string().min(1).max(50).default("management"),
  managementEmail: z.string().min(6).max(64).optional(),
  units: z
    .array(
      z.strictObject({
        id: z.string().regex(/^ou-[0-9a-z]{4,32}-[0-9a-z]{4,32}$/, "expected an OU id like ou-root-workloads"),
        name: z.string().min(1).max(128),
        /** Another unit's id, or the root when absent. */
        parent: z.string().optional(),
      }),
    )
    .default([]),
});

const scenarioBase = z.strictObject({
  name: z.string().min(1),
  description: z.string().optional(),
  region: regionSchema.default("us-east-1"),
  accountId: accountIdSchema.default("123456789012"),
  timing: timingSchema.default(timingSchema.parse({})),
  groups: z.array(groupSchema).default([]),
  hosts: z.array(hostSchema),
  /**
   * Other accounts (and other regions of this one): a multi-account scenario. Requests are then answered by the
   * fleet of their caller's account and signing region; without `accounts` every request gets the one fleet.
   */
  accounts: z.array(accountSchema).optional(),
  organization: organizationSchema.optional(),
});

export const scenarioSchema = scenarioBase.superRefine((s, ctx) => {
  checkFleet(s, ctx);
  checkAccounts(s, ctx);
});

/** Accounts unique, one fleet per account and region, parents and units that exist. */
function checkAccounts(s: z.output<typeof scenarioBase>, ctx: z.RefinementCtx): void {
  const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: "custom", path, message });
  const units = new Set<string>();
  const org = s.organization;
  if (org) {
    org.units.forEach((u, i) => {
      if (units.has(u.id)) issue(["organization", "units", i, "id"], `duplicate unit '${u.id}'`);
      units.add(u.id);
    });
    org.units.forEach((u, i) => {
      if (u.parent !== undefined && u.parent !== org.rootId && !units.has(u.parent))
        issue(["organization", "units", i, "parent"], `no unit '${u.parent}' (nor the root '${org.rootId}')`);
    });
  }
  const seen = new Set<string>();
  (s.accounts ?? []).forEach((a, i) => {
    if (seen.has(a.id)) issue(["accounts", i, "id"], `duplicate account '${a.id}'`);
    seen.add(a.id);
    if (a.parent !== undefined) {
      if (!org) issue(["accounts", i, "parent"], "there is no organization (add organization)");
      else if (a.parent !== org.rootId && !units.has(a.parent))
        issue(["accounts", i, "parent"], `no unit '${a.parent}' (nor the root '${org.rootId}')`);
    }
    const roles = new Set<string>();
    a.roles.forEach((r, j) => {
      if (roles.has(r.name)) issue(["accounts", i, "roles", j, "name"], `duplicate role '${r.name}'`);
      roles.add(r.name);
    });
    const regions = new Set<string>();
    a.fleets.forEach((f, j) => {
      if (regions.has(f.region)) issue(["accounts", i, "fleets", j, "region"], `duplicate region '${f.region}'`);
      regions.add(f.region);
      if (a.id === s.accountId && f.region === s.region)
        issue(
          ["accounts", i, "fleets", j, "region"],
          `${a.id}/${f.region} is the scenario's own fleet (its top-level hosts and groups)`,
        );
    });
  });
}

export type Scenario = z.output<typeof scenarioSchema>;
export type ScenarioInput = z.input<typeof scenarioSchema>;
export type ScenarioHost = Scenario["hosts"][number];
export type ScenarioGroup = Scenario["groups"][number];
export type ScenarioTiming = Scenario["timing"];
export type ScenarioAccount = NonNullable<Scenario["accounts"]>[number];
export type ScenarioRole = ScenarioAccount["roles"][number];
export type ScenarioMemberFleet = ScenarioAccount["fleets"][number];
export type ScenarioOrganization = NonNullable<Scenario["organization"]>;
export type ScenarioLaunch = z.output<typeof launchSchema>;
export type ExpectedVerdict = (typeof EXPECTED_VERDICTS)[number];
