/**
 * disconnected: the agent runs and is registered, but its connection to ECS (ACS) is lost, so ECS places no task
 * on it. Seen from the instance (the last ACS line is a failure, an idle close or a close) or from ECS
 * (agentConnected=false), with or without a probe report.
 */
import { acsEvidence, introspectionEvidence, proxyEvidence, serviceEvidence, versionEvidence } from "../evidence.ts";
import type { ReportCtx, SsmCtx } from "../facts.ts";
import { remedies } from "../remedies.ts";
import type { Diagnosis, Evidence, Remedy } from "../types.ts";
import { agentName, compact, ecsEvidence, regionOfArn } from "./shared.ts";
import { ssmEvidence } from "./ssm.ts";

const ROUTE_WHY =
  "The agent reaches ECS at ecs.<region>.amazonaws.com and holds its ACS session with ecs-a-*.<region>.amazonaws.com (telemetry: ecs-t-*): through a NAT gateway, the VPC endpoints com.amazonaws.<region>.ecs, .ecs-agent and .ecs-telemetry, or the proxy.";

/** Why a restart is not called the fix: the agent already retries the connection on its own. */
const RESTART_WHY =
  "The agent reconnects on its own (with backoff) once the route is back; a restart makes it reconnect at once, but only then: while the route is broken it fails the same way.";

export function disconnected({ o, ecs }: ReportCtx): Diagnosis {
  const r = o.report;
  const acs = r.logs.acs;
  const how = !o.acsLost
    ? "ECS reports agentConnected=false"
    : acs?.state === "failed"
      ? "its last ACS line is a failure to connect, with no `Connected to ACS endpoint` since"
      : acs?.state === "idle"
        ? "its ACS connection went idle and was closed, with no `Connected to ACS endpoint` since"
        : "its ACS connection closed, with no `Connected to ACS endpoint` since";
  const proxied = !!r.proxy && r.proxy.where.length > 0;
  const atRisk = o.check.on && o.affected && o.imds.kind === "no-state";
  return {
    verdict: "disconnected",
    summary: `The ${agentName(o)} runs and is registered${r.agent.cluster ? ` in cluster ${r.agent.cluster}` : ""}, but it has lost its connection to ECS (${how}), so ECS places no task on it: check its route to the ECS endpoints${proxied ? " (a proxy is set for it)" : ""}.${atRisk ? ` Do not restart it: with the check on and no lifecycle state in IMDS, agent ${o.version} dies on the 404 at its next start.` : ""}`,
    evidence: compact<Evidence>([
      o.acsLost && acsEvidence(o),
      ...ecsEvidence(ecs).filter((e) => e.source.kind === "api" && e.source.field === "agentConnected"),
      !o.acsLost && acsEvidence(o),
      introspectionEvidence(r),
      proxyEvidence(o),
      serviceEvidence(o),
      versionEvidence(o),
    ]),
    remedies: compact<Remedy>([
      remedies.checkEcsRoute(regionOfArn(r.agent.arn) ?? regionOfArn(ecs?.arn), ROUTE_WHY),
      proxied &&
        o.proxyMissing.length > 0 &&
        remedies.setNoProxy(`NO_PROXY misses ${o.proxyMissing.join(", ")}; keep any hosts it already lists.`),
      !atRisk && { ...remedies.restart(r, RESTART_WHY), automated: false },
      atRisk && remedies.upgrade(`Agent ${o.version} treats the first lifecycle 404 as fatal.`, { report: r }),
    ]),
    restartWillWork: false,
  };
}

/** No usable probe report, but ECS says the instance is registered and its agent is not connected. */
export function disconnectedWithoutProbe({ ecs, ssm }: SsmCtx): Diagnosis {
  const reach = /NotManaged|InvalidInstanceId/.test(ssm.statusDetails ?? "")
    ? " SSM does not manage it (stopped or terminated, no SSM agent, or no instance profile that lets it register), so the instance's side is not known."
    : ssm.pingStatus && ssm.pingStatus !== "Online"
      ? ` SSM cannot reach it either (${ssm.pingStatus}): the instance may be stopped, or cut off from AWS's endpoints altogether.`
      : " The probe gave no report, so the instance's side is not known.";
  return {
    verdict: "disconnected",
    summary: `ECS lists the instance${ecs?.cluster ? ` in cluster ${ecs.cluster}` : ""} with agentConnected=false: its agent has lost its connection to ECS, so ECS places no task on it.${reach}`,
    evidence: compact<Evidence>([...ecsEvidence(ecs), ...ssmEvidence(ssm)]),
    remedies: compact<Remedy>([
      remedies.checkEcsRoute(regionOfArn(ecs?.arn), ROUTE_WHY),
      ssm.pingStatus !== "Online" &&
        remedies.checkSsm("With SSM online, Fleet Doctor can probe the instance and say more."),
    ]),
    restartWillWork: false,
  };
}
