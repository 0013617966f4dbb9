/**
 * ECS agent versions as the simulated hosts need them: which ones carry the warm-pool regression, which log format
 * and rotation each writes, and the build commit printed in the introspection `Version`. Kept here, apart from
 * lib/diagnosis/versions.ts, on purpose: the simulator must not agree with the app by sharing its code.
 */

export type Version = [number, number, number];

const parsed = new Map<string, Version | undefined>();

export function parseVersion(s: string): Version | undefined {
  if (parsed.has(s)) return parsed.get(s);
  const m = /^v?(\d+)\.(\d+)\.(\d+)$/.exec(s.trim());
  const v: Version | undefined = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
  if (parsed.size < 10_000) parsed.set(s, v);
  return v;
}

export function compareVersions(a: string, b: string): number {
  const va = parseVersion(a);
  const vb = parseVersion(b);
  if (!va || !vb) throw new Error(`not a version: ${va ? b : a}`);
  for (let i = 0; i < 3; i++) {
    const d = va[i]! - vb[i]!;
    if (d !== 0) return d;
  }
  return 0;
}

const atLeast = (v: string, min: string) => compareVersions(v, min) >= 0;

/** The three releases whose SDK v2 IMDS client treats the first lifecycle 404 as fatal (PR #4446 .. #4516). */
export const AFFECTED_VERSIONS = ["1.89.3", "1.90.0", "1.91.0"] as const;
export const FIRST_FIXED = "1.91.1";

export const isAffected = (v: string) => (AFFECTED_VERSIONS as readonly string[]).includes(v);
/** ECS_WARM_POOLS_CHECK exists since 1.59.0; older agents ignore the key. */
export const hasWarmPoolCheck = (v: string) => atLeast(v, "1.59.0");
/** The per-round debug line `Target lifecycle state of instance: %v` exists from 1.59.0 to 1.101.x. */
export const logsLifecycleDebugLine = (v: string) => hasWarmPoolCheck(v) && !atLeast(v, "1.102.0");
/** From 1.102.0 a failed round logs a warn line with an `error=` field instead. */
export const logsLifecycleWarnLine = (v: string) => atLeast(v, "1.102.0");
/** Before agent 1.36 (ecs-init 1.82) lines were `2019-02-15T01:25:23Z [INFO] message`. */
export const writesBracketFormat = (v: string) => !atLeast(v, "1.36.0");
/** Hourly files up to 1.99.x; size-based rotation from 1.100.0. */
export const defaultRollover = (v: string): "date" | "size" => (atLeast(v, "1.100.0") ? "size" : "date");
/** The cloud-init check (refuses to start when user data did not run) exists from 1.105.0. */
export const hasCloudInitCheck = (v: string) => atLeast(v, "1.105.0");

const KNOWN_COMMITS: Record<string, string> = { "1.89.3": "fb1fb409" };

/** The short commit the agent prints next to its version; a stable made-up one for releases we have not looked up. */
export function commitOf(version: string): string {
  const known = KNOWN_COMMITS[version];
  if (known) return known;
  let h = 2166136261;
  for (const c of `amazon-ecs-agent@${version}`) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
  return h.toString(16).padStart(8, "0").slice(0, 8);
}

export const agentVersionString = (version: string) => `Amazon ECS Agent - v${version} (${commitOf(version)})`;
