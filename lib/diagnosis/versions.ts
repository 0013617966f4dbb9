import semver from "semver";
import type { ProbeReport } from "../probe/report-schema.ts";

/** The warm-pool check (ECS_WARM_POOLS_CHECK) exists since this agent version. */
export const CHECK_SINCE = "1.59.0";
/** First agent version whose check treats the first 404 as fatal (PR #4446). */
export const FIRST_AFFECTED = "1.89.3";
/** First fixed agent version (PR #4516, released 2025-03-11). */
export const FIRST_FIXED = "1.91.1";
/** First agent version that copes with a Docker too new for API 1.21 (`client version 1.21 is too old`, #4075). */
export const DOCKER_API_SINCE = "1.81.0";
/** First agent version that runs on cgroup v2 hosts (`Unable to initialize cgroup root for ECS` before it). */
export const CGROUP_V2_SINCE = "1.61.0";

/**
 * The agent version in any of the forms it is written: `1.89.3`, `v1.89.3`, `ecs-init-1.89.3-1.amzn2023.x86_64`,
 * `Amazon ECS Agent - v1.89.3 (fb1fb409)`. Returns the plain `major.minor.patch`, or undefined for anything else.
 */
export function parseAgentVersion(s: string | null | undefined): string | undefined {
  if (typeof s !== "string") return undefined;
  const m = /(?:^|[^0-9.])v?(\d{1,4})\.(\d{1,4})\.(\d{1,4})(?![0-9]|\.\d)/.exec(s.slice(0, 200));
  if (!m) return undefined;
  const v = `${Number(m[1])}.${Number(m[2])}.${Number(m[3])}`;
  return semver.valid(v) ?? undefined;
}

/** 1.89.3, 1.90.0 and 1.91.0: the first 404 from the lifecycle-state path kills the agent (exit 5). */
export function isAffectedVersion(v: string | null | undefined): boolean {
  const p = parseAgentVersion(v);
  return p !== undefined && semver.gte(p, FIRST_AFFECTED) && semver.lt(p, FIRST_FIXED);
}

/** Whether this version knows ECS_WARM_POOLS_CHECK at all. */
export function hasWarmPoolCheck(v: string | null | undefined): boolean {
  const p = parseAgentVersion(v);
  return p !== undefined && semver.gte(p, CHECK_SINCE);
}

/** Whether `v` is known and older than `min` (an unknown version is not called old). */
export function isOlderThan(v: string | null | undefined, min: string): boolean {
  const p = parseAgentVersion(v);
  return p !== undefined && semver.lt(p, min);
}

export function isFixedVersion(v: string | null | undefined): boolean {
  const p = parseAgentVersion(v);
  return p !== undefined && semver.gte(p, FIRST_FIXED);
}

/**
 * The agent version of a report: the running agent's (introspection), else the last started agent's (its log),
 * else the installed ecs-init's (which equals the agent version it ships): the rpm's, or on Debian/Ubuntu hosts (no
 * rpm) the deb's dpkg version such as `1.89.3-1`.
 */
export function agentVersionOf(report: ProbeReport): string | undefined {
  return (
    parseAgentVersion(report.agent.version) ??
    parseAgentVersion(report.logs.started?.version) ??
    parseAgentVersion(report.ecsInit) ??
    parseAgentVersion(report.deb)
  );
}
