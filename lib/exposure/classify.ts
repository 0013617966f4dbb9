import type { AgentVersionSource, CheckSetting, GroupExposure, LaunchSource } from "./types.ts";

export type ExposureFacts = {
  fleet: string;
  group: string;
  launch: LaunchSource;
  /** Why the launch settings (template version, configuration) could not be read, if they could not. */
  launchError?: string;
  check: CheckSetting;
  agent: AgentVersionSource;
  hasWarmPool: boolean;
  /** `gzip, mime (3 parts)`: how the user data was wrapped, for the evidence. */
  layers?: string;
};

const SOURCE_WORDS: Record<AgentVersionSource["source"], string> = {
  "ssm-parameter": "from the ECS-optimized AMI's public parameter",
  "image-name": "from the image name",
  probe: "from what the probe saw on the members",
  unknown: "unknown",
};

export function launchWords(launch: LaunchSource): string {
  switch (launch.kind) {
    case "launch-template":
    case "mixed-instances": {
      const name = launch.templateName ? ` (${launch.templateName})` : "";
      const resolved =
        launch.resolvedVersion !== undefined && launch.version !== String(launch.resolvedVersion)
          ? ` = ${launch.resolvedVersion}`
          : "";
      const how = launch.kind === "mixed-instances" ? "mixed-instances policy, launch template" : "launch template";
      return `${how} ${launch.templateId}${name} version ${launch.version}${resolved}`;
    }
    case "launch-configuration":
      return `launch configuration ${launch.name}`;
    default:
      return "no launch template or configuration";
  }
}

function checkWords(check: CheckSetting): string {
  if (!check.line) return "user data: ECS_WARM_POOLS_CHECK not set (default false)";
  const from = check.source && check.source !== check.line ? ` (written by: ${check.source})` : "";
  return `user data ${check.part} line ${check.lineNumber}: ${check.line}${from}`;
}

function agentWords(agent: AgentVersionSource): string {
  const image = agent.imageId
    ? `image ${agent.imageId}${agent.imageName ? ` (${agent.imageName})` : ""}`
    : "image unknown";
  const version = agent.version ? `agent ${agent.version} ${SOURCE_WORDS[agent.source]}` : "agent version unknown";
  return `${image}: ${version}${agent.detail ? `; ${agent.detail}` : ""}`;
}

/**
 * Exposed: the check is on and the agent the group launches has the regression (1.89.3 to 1.91.0), so new instances
 * die on the first lifecycle 404 (with a warm pool as without one: without, the check serves nothing and fails
 * whenever IMDS answers 404 before the group publishes a state). Safe: the check off, absent or invalid, or an agent
 * without the regression. Unknown: the user data or the agent version cannot be read.
 */
export function classifyExposure(f: ExposureFacts): GroupExposure {
  const evidence = [
    launchWords(f.launch),
    ...(f.launchError ? [`launch settings: ${f.launchError}`] : []),
    ...(f.layers ? [`user data: ${f.layers}`] : []),
    // Without the launch settings there was no user data to read: saying "not set" would be a guess.
    ...(f.launch.kind === "none" || f.launchError ? [] : [checkWords(f.check)]),
    ...(f.check.unreadable ? [`user data not fully read: ${f.check.unreadable}`] : []),
    agentWords(f.agent),
    f.hasWarmPool ? "warm pool: yes" : "warm pool: none",
  ];
  const out = (exposure: GroupExposure["exposure"], reason: string): GroupExposure => ({
    fleet: f.fleet,
    group: f.group,
    exposure,
    reason,
    launch: f.launch,
    check: f.check,
    agent: f.agent,
    hasWarmPool: f.hasWarmPool,
    evidence,
  });

  if (f.launch.kind === "none" || f.launchError) {
    return out("unknown", "What the group launches could not be read.");
  }
  if (f.check.unreadable) {
    return out("unknown", "The user data writes ecs.config in a way Fleet Doctor cannot read.");
  }
  if (!f.check.enabled) {
    if (f.check.invalid) {
      return out(
        "safe",
        `ECS_WARM_POOLS_CHECK is set to ${f.check.value?.trim()}, no boolean: the agent leaves the check off.`,
      );
    }
    return out("safe", f.check.line ? "ECS_WARM_POOLS_CHECK is false." : "ECS_WARM_POOLS_CHECK is not set (off).");
  }
  if (f.agent.affected === true) {
    const pool = f.hasWarmPool
      ? "its next launches will fail on the first lifecycle 404"
      : "it has no warm pool, so the check serves nothing and its next launches fail whenever IMDS answers 404";
    return out("exposed", `The check is on and agent ${f.agent.version} has the lifecycle-404 regression: ${pool}.`);
  }
  if (f.agent.affected === false) {
    const v = f.agent.version ? `agent ${f.agent.version}` : "the agent";
    return out("safe", `The check is on, but ${v} does not have the lifecycle-404 regression.`);
  }
  return out("unknown", "The check is on, and the agent version of the image is unknown.");
}
