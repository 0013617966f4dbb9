/**
 * The verdict catalogue: every verdict Fleet Doctor can reach, in display order, with what the product says and
 * shows for it. It is the one list: VERDICTS, the dashboard's tiles, charts, filters and colours, the CLI's order
 * and exit code, the restart preflight and the benchmarks all derive from it. Adding a verdict is one entry here,
 * its rule (rules.ts) and its tests; the simulator keeps its own copy (sim/ never imports lib/), which
 * test/sim-verdicts.test.ts holds equal to this one.
 *
 * Client-safe: plain data, no imports, so client components may import it.
 */

/** How bad the instance's state is: `error` = the agent is down; `ok` = nothing to do. */
export type VerdictSeverity = "error" | "warning" | "notice" | "ok";

/**
 * How a verdict looks. `type` and `color` are Cloudscape StatusIndicator values (components/verdict/verdicts.ts
 * checks that they still are); `chart` is a hex colour kept close to the status colour so bars and badges read alike.
 */
export type VerdictLook = {
  type: "success" | "error" | "warning" | "info" | "stopped" | "pending" | "in-progress" | "loading" | "not-started";
  color: "blue" | "grey" | "green" | "red" | "yellow";
  chart: string;
};

export type VerdictInfo = {
  /** A short label for people. */
  label: string;
  /** One line for people who do not know the vocabulary yet. */
  description: string;
  severity: VerdictSeverity;
  /** Whether a person has to look (the CLI exits 1 when any instance does). */
  needsAttention: boolean;
  /**
   * Whether the second remedy (set ECS_WARM_POOLS_CHECK=false, then restart) is the fix for an instance in no
   * group, even when the diagnosis did not offer it.
   */
  disableCheck: boolean;
  /** The scan progress's error group for this verdict when SSM's own status names none. */
  scanError?: "undeliverable" | "failed";
  look: VerdictLook;
};

/**
 * Display order (the order of the keys): what a person can fix now first, then what needs work, then the quiet
 * states. The dashboard and the CLI both sort by it.
 */
export const VERDICT_CATALOGUE = {
  "lifecycle-404:ready": {
    label: "Restart will fix",
    description: "Agent died on the lifecycle 404; metadata now says InService, so a restart succeeds.",
    severity: "error",
    needsAttention: true,
    disableCheck: false,
    look: { type: "info", color: "blue", chart: "#0972d3" },
  },
  "lifecycle-404:blocked": {
    label: "404, blocked",
    description: "Agent died on the lifecycle 404 and the instance is still in no group: fix that before restarting.",
    severity: "error",
    needsAttention: true,
    disableCheck: true,
    look: { type: "error", color: "red", chart: "#d91515" },
  },
  "lifecycle-404:warmed": {
    label: "404, warmed",
    description:
      "Agent died on the lifecycle 404; the instance is in the warm pool, a restart would wait for scale-out.",
    severity: "error",
    needsAttention: true,
    disableCheck: false,
    look: { type: "stopped", color: "grey", chart: "#8d6605" },
  },
  "agent-failed": {
    label: "Agent failed",
    description: "The agent is down for another named reason (credentials, registration, docker, state...).",
    severity: "error",
    needsAttention: true,
    disableCheck: false,
    look: { type: "error", color: "red", chart: "#a21212" },
  },
  disconnected: {
    label: "Disconnected",
    description: "The agent runs and is registered, but its connection to ECS (ACS) is lost: ECS places no task on it.",
    severity: "error",
    needsAttention: true,
    disableCheck: false,
    look: { type: "error", color: "red", chart: "#b1085a" },
  },
  "imds-unreachable": {
    label: "IMDS unreachable",
    description: "The probe could not reach instance metadata.",
    severity: "error",
    needsAttention: true,
    disableCheck: false,
    look: { type: "error", color: "red", chart: "#d13212" },
  },
  "at-risk": {
    label: "At risk",
    description:
      "Registered now, but the next agent start will fail the same way (check on, affected version, no group).",
    severity: "warning",
    needsAttention: true,
    disableCheck: true,
    look: { type: "warning", color: "yellow", chart: "#b2911c" },
  },
  waiting: {
    label: "Waiting",
    description: "The agent is alive and polling for InService (warm pool, or a fixed agent waiting out a 404).",
    severity: "notice",
    needsAttention: true,
    disableCheck: true,
    look: { type: "pending", color: "grey", chart: "#7d8998" },
  },
  "ssm-unreachable": {
    label: "SSM unreachable",
    description: "Systems Manager could not deliver the probe (connection lost, undeliverable, delivery timed out).",
    severity: "warning",
    needsAttention: true,
    disableCheck: false,
    scanError: "undeliverable",
    look: { type: "stopped", color: "grey", chart: "#5f6b7a" },
  },
  "probe-failed": {
    label: "Probe failed",
    description: "The probe ran but failed, timed out, or printed no valid report.",
    severity: "warning",
    needsAttention: true,
    disableCheck: false,
    scanError: "failed",
    look: { type: "warning", color: "yellow", chart: "#df9a00" },
  },
  unknown: {
    label: "Unknown",
    description: "Nothing Fleet Doctor knows fits this instance.",
    severity: "warning",
    needsAttention: true,
    disableCheck: false,
    look: { type: "not-started", color: "grey", chart: "#9ba7b6" },
  },
  healthy: {
    label: "Healthy",
    description: "The agent is registered with its cluster.",
    severity: "ok",
    needsAttention: false,
    disableCheck: false,
    look: { type: "success", color: "green", chart: "#037f0c" },
  },
} as const satisfies Record<string, VerdictInfo>;

export type Verdict = keyof typeof VERDICT_CATALOGUE;

/** Every verdict, in display order (a tuple, so zod's enum and the Verdict type can be built from it). */
export const VERDICTS = Object.keys(VERDICT_CATALOGUE) as [Verdict, ...Verdict[]];

const KNOWN = new Set<string>(VERDICTS);

export function isVerdict(s: string): s is Verdict {
  return KNOWN.has(s);
}

export function verdictInfo(v: Verdict): VerdictInfo {
  return VERDICT_CATALOGUE[v];
}

const RANK = new Map<string, number>(VERDICTS.map((v, i) => [v, i]));

/** Position in display order, for sorting; a string that is no verdict sorts last. */
export function verdictRank(v: string): number {
  return RANK.get(v) ?? VERDICTS.length;
}

function pick<T>(fn: (info: VerdictInfo) => T): Record<Verdict, T> {
  return Object.fromEntries(VERDICTS.map((v) => [v, fn(VERDICT_CATALOGUE[v])])) as Record<Verdict, T>;
}

/** Whether a verdict needs a person: everything but healthy (and, for the CLI's exit code, nothing else). */
export const NEEDS_ATTENTION: Record<Verdict, boolean> = pick((i) => i.needsAttention);

/** Verdicts for which turning the warm-pool check off is the fix (for an instance in no group). */
export const DISABLE_CHECK_VERDICTS: ReadonlySet<Verdict> = new Set(
  VERDICTS.filter((v) => verdictInfo(v).disableCheck),
);
