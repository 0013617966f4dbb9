/**
 * Exposure of an Auto Scaling group (issue 20): whether its next launches will fail on the lifecycle 404, read from
 * what the group launches (launch template version, launch configuration or mixed-instances policy), the user data's
 * ecs.config lines and the image's agent version. A property of the group, not a verdict of an instance.
 */

export type Exposure = "exposed" | "safe" | "unknown";

/** Where the launch settings came from. */
export type LaunchSource =
  | { kind: "launch-template"; templateId: string; templateName?: string; version: string; resolvedVersion?: number }
  | { kind: "launch-configuration"; name: string }
  | { kind: "mixed-instances"; templateId: string; templateName?: string; version: string; resolvedVersion?: number }
  | { kind: "none" };

/** The ECS_WARM_POOLS_CHECK value as the agent would read it from the user data's ecs.config lines. */
export type CheckSetting = {
  /** true only for an unquoted boolean true (the agent's parsing: last assignment wins, quoted values are not booleans). */
  enabled: boolean;
  /** The deciding line as written (capped), with its 1-based line number in the decoded part. */
  line?: string;
  lineNumber?: number;
  /** Which part of the user data it was found in: `script`, `cloud-config write_files`, `cloud-config runcmd`, `mime part N`. */
  part?: string;
  /** The user-data line that wrote it (the echo, the heredoc line, the sed), when it differs from `line`. */
  source?: string;
  /** The value after `=` as the agent gets it (untrimmed). */
  value?: string;
  /** The value is no boolean to ParseBool (`"true"`, `yes`): the agent logs it as invalid and leaves the check off. */
  invalid?: boolean;
  /** Why the setting cannot be known (undecodable user data, a write to ecs.config not read): exposure `unknown`. */
  unreadable?: string;
};

/** The agent version the group's instances will run, and where that was learned. */
export type AgentVersionSource = {
  version?: string;
  /** `ssm-parameter` (the ECS-optimized AMI's public parameters), `image-name`, `probe` (what the members run), or `unknown`. */
  source: "ssm-parameter" | "image-name" | "probe" | "unknown";
  imageId?: string;
  imageName?: string;
  /** Whether that agent has the regression (1.89.3 to 1.91.0); undefined when the version is unknown. */
  affected?: boolean;
  /** How the version was read, in words (the parameter, the name's date, `3 of 4 members`). */
  detail?: string;
};

export type GroupExposure = {
  fleet: string;
  group: string;
  exposure: Exposure;
  /** Why, in one sentence. */
  reason: string;
  launch: LaunchSource;
  check: CheckSetting;
  agent: AgentVersionSource;
  hasWarmPool: boolean;
  /** Evidence lines (template id and version, the user-data line, the image), as shown to the operator. */
  evidence: string[];
};
