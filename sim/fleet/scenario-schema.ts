/**
 * The scenario file format: a fleet of hosts, the Auto Scaling groups they belong to, and timing. Validated at load
 * so a bad file gets an error naming the field. Durations are relative to the moment the fleet is created
 * ("launched 3 hours ago"), so a scenario never goes stale.
 */
import { z } from "zod";
import { parseDuration } from "./duration.ts";
import { ECS_IMAGES, PLAIN_IMAGES } from "./images.ts";
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

/**
 * User data as a launch template or launch configuration holds it: plain text (the simulator base64-encodes it),
 * `{ "text": ..., "gzip": true }` (gzip, then base64, as cloud-init accepts it), or `{ "base64": ... }` as stored.
 */
const userDataSchema = z.union([
  z.string(),
  z.strictObject({ text: z.string(), gzip: z.boolean().default(false) }),
  z.strictObject({ base64: z.string().regex(/^[A-Za-z0-9+/=\s]*$/, "expected base64") }),
]);

/** An image of the catalogue by name (sim/fleet/images.ts), or one of the scenario's own images by name or id. */
const imageRef = z.string().min(1);

const templateVersionSchema = z.strictObject({
  description: z.string().max(255).optional(),
  image: imageRef.optional(),
  instanceType: z.string().optional(),
  userData: userDataSchema.optional(),
  /** IMDS of instances launched from it: tokens "required" (v2) or "optional". */
  httpTokens: z.enum(["required", "optional"]).optional(),
  createdAgo: duration.optional(),
});

const TEMPLATE_NAME = /^[a-zA-Z0-9().\-/_]{3,128}$/;

const launchTemplateSchema = z.strictObject({
  name: z.string().regex(TEMPLATE_NAME, "expected 3-128 letters, digits or ().-/_"),
  id: z
    .string()
    .regex(/^lt-[0-9a-f]{17}$/, "expected a launch template id like lt-0123456789abcdef0")
    .optional(),
  /** The default version's number (1 when absent). */
  defaultVersion: z.number().int().min(1).default(1),
  versions: z.array(templateVersionSchema).min(1, "a launch template needs at least one version"),
  tags: tags.default({}),
  createdAgo: duration.default(90 * 86400),
});

const launchConfigurationSchema = z.strictObject({
  name: z.string().regex(/^[\w\-.:/@ ]{1,255}$/, "expected 1-255 letters, digits, spaces or -_.:/@"),
  image: imageRef,
  instanceType: z.string().default("m5.large"),
  userData: userDataSchema.optional(),
  httpTokens: z.enum(["required", "optional"]).optional(),
  createdAgo: duration.default(400 * 86400),
});

/** An image of the scenario's own (a company's baked AMI: its name need not say which agent it carries). */
const imageSchema = z.strictObject({
  name: z.string().min(3).max(128),
  id: z
    .string()
    .regex(/^ami-[0-9a-f]{8}([0-9a-f]{9})?$/, "expected an image id like ami-0123456789abcdef0")
    .optional(),
  /** The agent it ships; absent: no ECS on it. */
  agentVersion: version.optional(),
  os: z.enum(["al2023", "al2"]).default("al2023"),
  arch: z.enum(["x86_64", "arm64"]).default("x86_64"),
  creationDate: z.iso.datetime({ message: "expected an ISO 8601 time like 2025-02-10T00:00:00Z" }),
  description: z.string().default(""),
});

const templateRefSchema = z.strictObject({
  name: z.string(),
  /** Kept for scenarios that give the id too; it must then be the template's. */
  id: z.string().optional(),
  version: z
    .string()
    .regex(/^(\$Latest|\$Default|[1-9]\d*)$/, "expected $Latest, $Default or a version number")
    .default("$Default"),
});

const mixedInstancesSchema = z.strictObject({
  launchTemplate: templateRefSchema,
  overrides: z
    .array(
      z.strictObject({
        instanceType: z.string().optional(),
        image: imageRef.optional(),
        weightedCapacity: z.string().optional(),
        launchTemplate: templateRefSchema.optional(),
      }),
    )
    .max(40)
    .default([]),
  instancesDistribution: z
    .strictObject({
      onDemandAllocationStrategy: z.enum(["prioritized", "lowest-price"]).default("prioritized"),
      onDemandBaseCapacity: z.number().int().min(0).default(0),
      onDemandPercentageAboveBaseCapacity: z.number().int().min(0).max(100).default(100),
      spotAllocationStrategy: z.string().default("price-capacity-optimized"),
    })
    .default({
      onDemandAllocationStrategy: "prioritized",
      onDemandBaseCapacity: 0,
      onDemandPercentageAboveBaseCapacity: 100,
      spotAllocationStrategy: "price-capacity-optimized",
    }),
});

const groupSchema = z.strictObject({
  name: z.string().regex(/^[\w\-.:/@ ]{1,255}$/, "expected 1-255 letters, digits, spaces or -_.:/@"),
  minSize: z.number().int().min(0).default(0),
  maxSize: z.number().int().min(0).default(100),
  /** Defaults to the number of members (not counting the warm pool). */
  desiredCapacity: z.number().int().min(0).optional(),
  availabilityZones: z.array(z.string().min(1)).min(1).default(["us-east-1a", "us-east-1b", "us-east-1c"]),
  instanceType: z.string().default("m5.large"),
  /** One of these three: what the group launches from (the scenario's launchTemplates / launchConfigurations). */
  launchTemplate: templateRefSchema.optional(),
  launchConfiguration: z.string().optional(),
  mixedInstancesPolicy: mixedInstancesSchema.optional(),
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
  /** The AMI id IMDS reports (ami-id); derived from agentVersion when absent (a launch sets its image's). */
  imageId: z.string().optional(),
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

export const scenarioSchema = z
  .strictObject({
    name: z.string().min(1),
    description: z.string().optional(),
    region: z
      .string()
      .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, "expected a region like us-east-1")
      .default("us-east-1"),
    accountId: z
      .string()
      .regex(/^\d{12}$/, "expected 12 digits")
      .default("123456789012"),
    timing: timingSchema.default(timingSchema.parse({})),
    /** The scenario's own images, next to the catalogue's ECS-optimized and stock Amazon Linux AMIs. */
    images: z.array(imageSchema).default([]),
    launchTemplates: z.array(launchTemplateSchema).default([]),
    launchConfigurations: z.array(launchConfigurationSchema).default([]),
    groups: z.array(groupSchema).default([]),
    hosts: z.array(hostSchema),
  })
  .superRefine((s, ctx) => {
    checkLaunchSources(s, ctx);
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
      if (seen.has(h.id))
        ctx.addIssue({ code: "custom", path: ["hosts", i, "id"], message: `duplicate host '${h.id}'` });
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
  });

type RawScenario = {
  images: z.output<typeof imageSchema>[];
  launchTemplates: z.output<typeof launchTemplateSchema>[];
  launchConfigurations: z.output<typeof launchConfigurationSchema>[];
  groups: z.output<typeof groupSchema>[];
};

/** Images, templates, launch configurations and the groups' references to them: each names what it points at. */
function checkLaunchSources(s: RawScenario, ctx: z.RefinementCtx): void {
  const imageNames = new Set([...ECS_IMAGES, ...PLAIN_IMAGES].map((i) => i.name));
  s.images.forEach((img, i) => {
    if (imageNames.has(img.name))
      ctx.addIssue({ code: "custom", path: ["images", i, "name"], message: `duplicate image '${img.name}'` });
    imageNames.add(img.name);
    if (img.id) imageNames.add(img.id);
  });
  const knownImage = (name: string | undefined, path: (string | number)[]) => {
    if (name !== undefined && !imageNames.has(name))
      ctx.addIssue({
        code: "custom",
        path,
        message: `no image '${name}' (an ECS-optimized AMI name like al2023-ami-ecs-hvm-2023.0.20250121-kernel-6.1-x86_64, or one of images[])`,
      });
  };
  const templates = new Map<string, z.output<typeof launchTemplateSchema>>();
  s.launchTemplates.forEach((t, i) => {
    if (templates.has(t.name))
      ctx.addIssue({
        code: "custom",
        path: ["launchTemplates", i, "name"],
        message: `duplicate launch template '${t.name}'`,
      });
    templates.set(t.name, t);
    if (t.defaultVersion > t.versions.length)
      ctx.addIssue({
        code: "custom",
        path: ["launchTemplates", i, "defaultVersion"],
        message: `the template has ${t.versions.length} version(s)`,
      });
    t.versions.forEach((v, j) => {
      knownImage(v.image, ["launchTemplates", i, "versions", j, "image"]);
    });
  });
  const configs = new Set<string>();
  s.launchConfigurations.forEach((c, i) => {
    if (configs.has(c.name))
      ctx.addIssue({
        code: "custom",
        path: ["launchConfigurations", i, "name"],
        message: `duplicate launch configuration '${c.name}'`,
      });
    configs.add(c.name);
    knownImage(c.image, ["launchConfigurations", i, "image"]);
  });
  const checkRef = (ref: z.output<typeof templateRefSchema>, path: (string | number)[]) => {
    const t = templates.get(ref.name);
    if (!t) {
      ctx.addIssue({ code: "custom", path: [...path, "name"], message: `no launch template '${ref.name}'` });
      return;
    }
    if (ref.id !== undefined && t.id !== undefined && ref.id !== t.id)
      ctx.addIssue({ code: "custom", path: [...path, "id"], message: `launch template '${t.name}' has id ${t.id}` });
    if (/^\d+$/.test(ref.version) && Number(ref.version) > t.versions.length)
      ctx.addIssue({
        code: "custom",
        path: [...path, "version"],
        message: `launch template '${t.name}' has ${t.versions.length} version(s)`,
      });
  };
  s.groups.forEach((g, i) => {
    const set = [g.launchTemplate, g.launchConfiguration, g.mixedInstancesPolicy].filter((x) => x !== undefined);
    if (set.length > 1)
      ctx.addIssue({
        code: "custom",
        path: ["groups", i, "launchTemplate"],
        message: "a group launches from one of launchTemplate, launchConfiguration or mixedInstancesPolicy",
      });
    if (g.launchTemplate) checkRef(g.launchTemplate, ["groups", i, "launchTemplate"]);
    if (g.launchConfiguration !== undefined && !configs.has(g.launchConfiguration))
      ctx.addIssue({
        code: "custom",
        path: ["groups", i, "launchConfiguration"],
        message: `no launch configuration '${g.launchConfiguration}'`,
      });
    const mip = g.mixedInstancesPolicy;
    if (mip) {
      checkRef(mip.launchTemplate, ["groups", i, "mixedInstancesPolicy", "launchTemplate"]);
      mip.overrides.forEach((o, j) => {
        knownImage(o.image, ["groups", i, "mixedInstancesPolicy", "overrides", j, "image"]);
        if (o.launchTemplate)
          checkRef(o.launchTemplate, ["groups", i, "mixedInstancesPolicy", "overrides", j, "launchTemplate"]);
      });
    }
  });
}

export type Scenario = z.output<typeof scenarioSchema>;
export type ScenarioInput = z.input<typeof scenarioSchema>;
export type ScenarioHost = Scenario["hosts"][number];
export type ScenarioGroup = Scenario["groups"][number];
export type ScenarioTiming = Scenario["timing"];
export type ScenarioLaunch = z.output<typeof launchSchema>;
export type ScenarioUserData = z.output<typeof userDataSchema>;
export type ScenarioLaunchTemplate = Scenario["launchTemplates"][number];
export type ScenarioImage = Scenario["images"][number];
export type ExpectedVerdict = (typeof EXPECTED_VERDICTS)[number];
