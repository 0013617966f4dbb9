import { clusterMissing, type EcsView } from "../aws/ecs.ts";
import type { EcsFacts } from "../diagnosis/facts.ts";
import type { ProbeReport } from "../probe/report-schema.ts";
import type { Target } from "./types.ts";

/** What stored results saw of an instance's lifecycle (Store.lifecycleSeen). */
export type LifecycleSeen = { firstInService?: string; lastNotInService?: string };

export type EcsFactsInput = {
  view: EcsView;
  target: Target;
  /** The instance's probe report, when the probe gave a usable one. */
  report?: ProbeReport;
  /** Looked up only for an unregistered InService member (needsLifecycle). */
  seen?: LifecycleSeen;
  now: Date;
  graceSeconds: number;
  /** The account and region ECS was read in: a cluster ARN of another one was not looked at. */
  home: { region: string; account?: string };
};

/** Whether the instance's time in service matters: it is an InService group member that ECS does not have. */
export function needsLifecycle(view: EcsView, target: Target): boolean {
  return target.lifecycleState === "InService" && !view.byInstance.has(target.instanceId);
}

const time = (s: string | null | undefined) => {
  const t = s ? Date.parse(s) : Number.NaN;
  return Number.isFinite(t) ? t : undefined;
};

/**
 * Since when the instance has been in service, from what is honestly known: with a probe report, its boot time
 * (`os.boot`), or the last time a stored result saw it in another state if that is later (a warm-pool instance that
 * was Warmed:Running before; boot alone would overstate its time in service); without one, the first time a stored
 * result saw it InService (after the last time it was seen otherwise). Otherwise unknown: never overdue.
 */
export function inServiceSince(report: ProbeReport | undefined, seen: LifecycleSeen | undefined): number | undefined {
  const boot = time(report?.os.boot);
  const lastOther = time(seen?.lastNotInService);
  if (boot !== undefined) return Math.max(boot, lastOther ?? boot);
  return time(seen?.firstInService);
}

/** An instance with ecs-init or its unit installed: one whose ecs.config names a cluster it means to join. */
function runsEcs(report: ProbeReport): boolean {
  return report.config.files.length > 0 || (report.service.load != null && report.service.load !== "not-found");
}

/**
 * One instance's ECS facts: registered or not (joined by ec2InstanceId) and ECS's word on its container instance;
 * for an unregistered one, whether the cluster its ecs.config names is missing, and whether it is overdue (an
 * InService member for longer than the grace period, by inServiceSince).
 */
export function ecsFactsOf(i: EcsFactsInput): EcsFacts {
  const { view, target } = i;
  const ci = view.byInstance.get(target.instanceId);
  if (ci) {
    return {
      registered: true,
      clustersSearched: view.clusters.length,
      cluster: ci.cluster,
      arn: ci.arn,
      ...(ci.status ? { status: ci.status } : {}),
      ...(ci.agentConnected !== undefined ? { agentConnected: ci.agentConnected } : {}),
      ...(ci.agentVersion ? { agentVersion: ci.agentVersion } : {}),
      ...(ci.registeredAt ? { registeredAt: ci.registeredAt } : {}),
    };
  }
  const out: EcsFacts = { registered: false, clustersSearched: view.clusters.length };
  if (i.report && runsEcs(i.report)) {
    const configured = i.report.config.keys.ECS_CLUSTER?.[0];
    if (clusterMissing(view, configured, i.home)) out.clusterMissing = configured?.trim() || "default";
  }
  if (target.lifecycleState === "InService") {
    const since = inServiceSince(i.report, i.seen);
    if (since !== undefined && i.now.getTime() - since > i.graceSeconds * 1000) out.overdue = true;
  }
  return out;
}
