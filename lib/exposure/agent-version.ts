import { FIRST_AFFECTED, isAffectedVersion, parseAgentVersion } from "../diagnosis/versions.ts";
import type { AgentVersionSource } from "./types.ts";

/**
 * The agent an ECS-optimized AMI ships, from the date in its name (facts/ecs-agent.md, "AMIs"): 20250121 shipped
 * 1.89.3, 20250206 1.90.0, 20250304 1.91.0, 20250318 1.91.1 (fixed). Dates between two releases carry the earlier
 * release's agent; after 20250318 the agent is "1.91.1 or later" (the exact version is the public parameter's).
 */
const AMI_RELEASES: readonly { from: string; version: string }[] = [
  { from: "20250121", version: "1.89.3" },
  { from: "20250206", version: "1.90.0" },
  { from: "20250304", version: "1.91.0" },
  { from: "20250318", version: "1.91.1" },
];

/** `al2023-ami-ecs-hvm-2023.0.20250129-kernel-6.1-x86_64`, `amzn2-ami-ecs-hvm-2.0.20250121-x86_64-ebs` and variants. */
const ECS_AMI_NAME =
  /^(?:al2023-ami-ecs-(?:[a-z0-9-]+-)?hvm-2023\.0\.|amzn2-ami-ecs-(?:[a-z0-9.-]+-)?hvm-2\.0\.)(\d{8})/;

/** What an ECS-optimized image name says of its agent; undefined for a name that is not one. */
export function agentFromImageName(
  name: string | undefined,
): { version?: string; affected: boolean; detail: string } | undefined {
  const m = name ? ECS_AMI_NAME.exec(name) : null;
  if (!m) return undefined;
  const date = m[1]!;
  const release = [...AMI_RELEASES].reverse().find((r) => date >= r.from);
  if (!release) {
    return {
      affected: false,
      detail: `ECS-optimized AMI of ${date}, before the first affected release (${FIRST_AFFECTED} in 20250121)`,
    };
  }
  const last = release === AMI_RELEASES[AMI_RELEASES.length - 1];
  return {
    version: release.version,
    affected: isAffectedVersion(release.version),
    detail: last
      ? `ECS-optimized AMI of ${date}: agent ${release.version} or later (fixed)`
      : `ECS-optimized AMI of ${date}: agent ${release.version} (the ${release.from} release)`,
  };
}

/** The value of a public ECS-optimized AMI parameter (`/aws/service/ecs/optimized-ami/.../recommended`). */
export type EcsAmiParameter = { name: string; imageId: string; imageName?: string; agentVersion?: string };

/** Parses a parameter value (JSON with image_id, image_name, ecs_agent_version); undefined for anything else. */
export function parseAmiParameter(name: string, value: string | undefined): EcsAmiParameter | undefined {
  try {
    const v = JSON.parse(value ?? "") as { image_id?: unknown; image_name?: unknown; ecs_agent_version?: unknown };
    if (typeof v.image_id !== "string") return undefined;
    return {
      name,
      imageId: v.image_id,
      ...(typeof v.image_name === "string" ? { imageName: v.image_name } : {}),
      ...(typeof v.ecs_agent_version === "string" ? { agentVersion: v.ecs_agent_version } : {}),
    };
  } catch {
    return undefined;
  }
}

/** The majority agent version of a group's members as the probe last saw them. */
export function majorityVersion(
  counts: readonly { version: string | null | undefined; n: number }[],
): { version: string; n: number; of: number } | undefined {
  const byVersion = new Map<string, number>();
  let of = 0;
  for (const c of counts) {
    of += c.n;
    const v = parseAgentVersion(c.version);
    if (v) byVersion.set(v, (byVersion.get(v) ?? 0) + c.n);
  }
  const best = [...byVersion].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0];
  return best ? { version: best[0], n: best[1], of } : undefined;
}

/**
 * The agent a group's next launches run, by the best source: the public parameter naming this very image, then the
 * image name's date, then what the probe saw on the members (they may have been upgraded in place, so last).
 */
export function agentOfImage(input: {
  imageId?: string;
  imageName?: string;
  parameters: readonly EcsAmiParameter[];
  members: readonly { version: string | null | undefined; n: number }[];
}): AgentVersionSource {
  const image = {
    ...(input.imageId ? { imageId: input.imageId } : {}),
    ...(input.imageName ? { imageName: input.imageName } : {}),
  };
  const param = input.imageId ? input.parameters.find((p) => p.imageId === input.imageId && p.agentVersion) : undefined;
  if (param?.agentVersion) {
    return {
      ...image,
      version: param.agentVersion,
      source: "ssm-parameter",
      affected: isAffectedVersion(param.agentVersion),
      detail: `${param.name} names this image with ecs_agent_version ${param.agentVersion}`,
    };
  }
  const named = agentFromImageName(input.imageName);
  if (named) {
    return {
      ...image,
      ...(named.version ? { version: named.version } : {}),
      source: "image-name",
      affected: named.affected,
      detail: named.detail,
    };
  }
  const seen = majorityVersion(input.members);
  if (seen) {
    return {
      ...image,
      version: seen.version,
      source: "probe",
      affected: isAffectedVersion(seen.version),
      detail: `${seen.n} of ${seen.of} members probed run ${seen.version}`,
    };
  }
  return { ...image, source: "unknown", detail: "no public parameter, no ECS-optimized image name, no probed member" };
}
