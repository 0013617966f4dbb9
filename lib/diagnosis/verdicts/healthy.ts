/** healthy: the agent is running and registered. */
import {
  acsEvidence,
  checkEvidence,
  diskEvidence,
  imdsEvidence,
  introspectionEvidence,
  proxyEvidence,
  serviceEvidence,
  versionEvidence,
} from "../evidence.ts";
import type { ReportCtx } from "../facts.ts";
import { remedies } from "../remedies.ts";
import type { Diagnosis, Evidence, Remedy } from "../types.ts";
import { agentName, compact } from "./shared.ts";

export function healthy({ o }: ReportCtx): Diagnosis {
  const cluster = o.report.agent.cluster;
  const full = o.fullDisks[0];
  // Joined, so healthy; but what will break the tasks ECS places here is said, not hidden behind the green badge.
  const notes = [
    full && ` But ${full.path} is full: tasks placed here will fail to pull images or save state until space is freed.`,
    o.proxyMissing.length > 0 &&
      ` But NO_PROXY misses ${o.proxyMissing.join(", ")}: tasks' credential requests go to the proxy.`,
  ]
    .filter(Boolean)
    .join("");
  return {
    verdict: "healthy",
    summary: `The ${agentName(o)} is running and registered${cluster ? ` in cluster ${cluster}` : ""}.${notes}`,
    evidence: compact<Evidence>([
      introspectionEvidence(o.report),
      o.report.logs.acs?.state === "connected" && acsEvidence(o),
      versionEvidence(o),
      serviceEvidence(o),
      o.check.on && imdsEvidence(o),
      o.check.on && o.affected && checkEvidence(o),
      ...diskEvidence(o),
      proxyEvidence(o),
    ]),
    // Registered now (it started in its group), but an affected agent with the check on dies again on the next
    // boot that comes before the group publishes a lifecycle state: the upgrade stays advised.
    remedies: compact<Remedy>([
      o.check.on &&
        o.affected &&
        remedies.upgrade(
          `Agent ${o.version} treats the first lifecycle 404 as fatal: its next boot, before the group publishes a lifecycle state, fails again.`,
          { report: o.report },
        ),
      full &&
        remedies.freeDisk(
          full.path,
          `${full.path} (filesystem ${full.mount}) is ${full.use}% full (inodes ${full.iuse ?? "?"}%).`,
        ),
      o.proxyMissing.length > 0 &&
        remedies.setNoProxy(`NO_PROXY misses ${o.proxyMissing.join(", ")}; keep any hosts it already lists.`),
    ]),
    restartWillWork: false,
  };
}
