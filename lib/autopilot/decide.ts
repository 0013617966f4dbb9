import type { Verdict } from "../diagnosis/types.ts";
import type { AutopilotEntry, Policy } from "./types.ts";

/** The only verdict autopilot ever restarts: the agent gave up on a 404 and its group has since published a state. */
export const RESTARTABLE: Verdict = "lifecycle-404:ready";

/** Why an instance autopilot would restart was not: the word is also the key that logs it once per failure. */
export type SkipWhy = "no-failure-key" | "already-restarted" | "preflight" | "kill-switch" | "breaker" | "rate";

/** One instance of a group's review, as the store and the preflight describe it. */
export type Candidate = {
  instanceId: string;
  verdict: Verdict;
  /** The restart's preflight from the stored diagnosis; asked only for RESTARTABLE instances. */
  preflight?: { ok: boolean; reason?: string };
  /** What tells this agent failure from the instance's next one (failure-key.ts); undefined: the report did not say. */
  failureKey?: string;
  /** Whether a restart, or a dry run, was already claimed for this failure. */
  claimed?: { restart?: boolean; dryRun?: boolean };
};

export type DecideInput = {
  /** The group's policy (or the fleet's default); undefined: none set, which is `off`. */
  policy: Policy | undefined;
  /** The variable (FLEET_DOCTOR_AUTOPILOT=off) and the page's switch. */
  killSwitch: { variable: boolean; page: boolean };
  breakerTripped: boolean;
  /** The group's log for at least the last hour: `restart-sent` entries are what the rate counts. */
  history: Pick<AutopilotEntry, "kind" | "at">[];
  candidates: Candidate[];
  now: number;
};

export type Decision = {
  /** Failing instances to alert on (the alerts module drops the ones it already sent). */
  alert: string[];
  /** Instances now healthy: their next failure alerts again. */
  resolved: string[];
  /** To claim and restart, at most what the rate leaves. */
  restart: string[];
  /** What a dry run would have restarted. */
  dryRun: string[];
  skipped: { instanceId: string; why: SkipWhy; detail: string }[];
};

const HOUR_MS = 3600_000;

/** `restart-sent` entries of the last hour: what the rate has used. */
export function restartsInLastHour(history: Pick<AutopilotEntry, "kind" | "at">[], now: number): number {
  return history.filter((e) => e.kind === "restart-sent" && Date.parse(e.at) > now - HOUR_MS).length;
}

/**
 * What autopilot does for one group in one review: pure, so that every limit is tested without AWS. `off` does
 * nothing; `notify` alerts; `restart` also restarts RESTARTABLE instances that pass the preflight, unless the kill
 * switch, the group's breaker, the hourly rate, a claim on the same failure, or a dry run says otherwise.
 */
export function decide(input: DecideInput): Decision {
  const out: Decision = { alert: [], resolved: [], restart: [], dryRun: [], skipped: [] };
  const p = input.policy;
  if (!p || p.mode === "off") return out;
  for (const c of input.candidates) {
    if (c.verdict === "healthy") out.resolved.push(c.instanceId);
    // `waiting` is no failure: a fixed agent polling until its group publishes InService registers by itself.
    else if (c.verdict !== "waiting") out.alert.push(c.instanceId);
  }
  if (p.mode !== "restart") return out;

  let left = Math.max(0, p.maxRestartsPerHour - restartsInLastHour(input.history, input.now));
  const skip = (instanceId: string, why: SkipWhy, detail: string) => out.skipped.push({ instanceId, why, detail });
  for (const c of input.candidates) {
    if (c.verdict !== RESTARTABLE) continue;
    if (!c.failureKey) {
      skip(c.instanceId, "no-failure-key", "The probe's report does not say when the agent failed: not restarted.");
      continue;
    }
    if (c.claimed?.restart) {
      skip(c.instanceId, "already-restarted", "Already restarted once for this failure: never twice.");
      continue;
    }
    if (!c.preflight?.ok) {
      skip(c.instanceId, "preflight", `Preflight refused: ${c.preflight?.reason ?? "not checked"}`);
      continue;
    }
    if (input.killSwitch.variable || input.killSwitch.page) {
      const by = input.killSwitch.variable ? "FLEET_DOCTOR_AUTOPILOT=off" : "the page";
      skip(c.instanceId, "kill-switch", `The kill switch is engaged (${by}): no automatic restart.`);
      continue;
    }
    if (input.breakerTripped) {
      skip(
        c.instanceId,
        "breaker",
        "The group's breaker is tripped: no automatic restart until an operator resets it.",
      );
      continue;
    }
    if (p.dryRun) {
      if (!c.claimed?.dryRun) out.dryRun.push(c.instanceId);
      continue;
    }
    if (left === 0) {
      skip(c.instanceId, "rate", `At most ${p.maxRestartsPerHour} automatic restarts an hour in this group.`);
      continue;
    }
    left--;
    out.restart.push(c.instanceId);
  }
  return out;
}

/**
 * Whether a group's breaker trips now: `breakerFailures` failed verifications within the last `breakerWindowMinutes`,
 * counting only those after the group's last reset (an operator's reset starts the count afresh).
 */
export function breakerTrips(
  policy: Pick<Policy, "breakerFailures" | "breakerWindowMinutes">,
  history: Pick<AutopilotEntry, "kind" | "at">[],
  now: number,
): { trip: boolean; failures: number } {
  const lastReset = Math.max(
    -Infinity,
    ...history.filter((e) => e.kind === "breaker-reset").map((e) => Date.parse(e.at)),
  );
  const windowStart = now - policy.breakerWindowMinutes * 60_000;
  const failures = history.filter((e) => {
    if (e.kind !== "failed-verification") return false;
    const at = Date.parse(e.at);
    return at >= windowStart && at > lastReset;
  }).length;
  return { trip: failures >= policy.breakerFailures, failures };
}
