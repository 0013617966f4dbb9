/** Helpers the verdict builders share: small text pieces and the evidence more than one verdict cites. */
import { isTailed, LINE_PATTERNS, logEvidence } from "../evidence.ts";
import type { Membership } from "../facts.ts";
import type { Observations } from "../observe.ts";
import type { Evidence } from "../types.ts";

export const compact = <T>(xs: (T | undefined | false | null)[]): T[] => xs.filter((x): x is T => !!x);
export const norm = (s: string | undefined) => (s ?? "").replace(/[\s_-]+/g, "");

export function membershipEvidence(m: Membership | undefined): Evidence | undefined {
  if (!m) return undefined;
  return {
    label: m.inWarmPool ? `In the warm pool of group ${m.group}` : `In Auto Scaling group ${m.group}`,
    value: m.lifecycleState,
    source: { kind: "api", api: m.source ?? "autoscaling:DescribeAutoScalingInstances", field: "LifecycleState" },
  };
}

export function lifecycleLineEvidence(o: Observations, label: string): Evidence | undefined {
  const lc = o.report.logs.lifecycle;
  if (!lc) return undefined;
  const count = lc.count > 1 ? ` (${lc.count} such lines in the files read)` : "";
  return logEvidence(`${label}${count}`, lc, LINE_PATTERNS.lifecycle, undefined, isTailed(o.report, lc.file));
}

export function initEvidence(o: Observations): Evidence | undefined {
  const init = o.report.logs.init;
  if (!init) return undefined;
  const label =
    init.code === 5
      ? "ecs-init saw the agent exit with the terminal code 5 and stopped retrying"
      : init.code !== null
        ? `ecs-init saw the agent exit with code ${init.code}`
        : "ecs-init reports the agent failing to start";
  return logEvidence(label, init, LINE_PATTERNS.init, undefined, isTailed(o.report, init.file));
}

export function errorLineEvidence(o: Observations): Evidence | undefined {
  const err = o.report.logs.error;
  if (!err) return undefined;
  return logEvidence("The agent's last error line", err, LINE_PATTERNS.error, undefined, isTailed(o.report, err.file));
}

export const atTime = (t: string | null | undefined) => (t ? ` at ${t}` : "");
export const agentName = (o: Observations) => (o.version ? `ECS agent ${o.version}` : "ECS agent");

/** The check is off now (someone set it false, or wrote it so the agent ignores it): a restart skips the wait. */
export const checkNowOff = (o: Observations) => !o.check.on;
