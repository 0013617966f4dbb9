/** Helpers the verdict builders share: small text pieces and the evidence more than one verdict cites. */
import { isTailed, LINE_PATTERNS, logEvidence } from "../evidence.ts";
import type { EcsFacts, Membership } from "../facts.ts";
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
    init.code === 5 && !o.exit5Final
      ? "ecs-init saw the agent exit with the terminal code 5; this unit has no RestartPreventExitStatus=5, so systemd starts it again"
      : init.code === 5
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

const ECS_API = "ecs:DescribeContainerInstances";

/**
 * What the ECS control plane says of the instance, as evidence: registered (where, status, agentConnected), or
 * registered nowhere among the clusters looked at (overdue when an InService group member should have joined), and
 * a configured cluster ECS does not have.
 */
export function ecsEvidence(ecs: EcsFacts | undefined): Evidence[] {
  if (!ecs) return [];
  const out: Evidence[] = [];
  if (ecs.registered) {
    const value = [
      ecs.arn ?? "(registered)",
      ecs.status && `status=${ecs.status}`,
      ecs.agentConnected !== undefined && `agentConnected=${ecs.agentConnected}`,
      ecs.agentVersion && `agentVersion=${ecs.agentVersion}`,
      ecs.registeredAt && `registeredAt=${ecs.registeredAt}`,
    ]
      .filter(Boolean)
      .join(" ");
    const at = value.indexOf("agentConnected=");
    out.push({
      label:
        ecs.agentConnected === false
          ? `ECS lists it as a container instance${ecs.cluster ? ` of cluster ${ecs.cluster}` : ""}, with agentConnected=false: ECS places no task on it`
          : `ECS lists it as a container instance${ecs.cluster ? ` of cluster ${ecs.cluster}` : ""}`,
      value,
      ...(at >= 0 ? { match: [at, at + `agentConnected=${ecs.agentConnected}`.length] as [number, number] } : {}),
      source: { kind: "api", api: ECS_API, field: "agentConnected" },
    });
  } else {
    const value = `registered in none of ${ecs.clustersSearched} cluster${ecs.clustersSearched === 1 ? "" : "s"} looked at`;
    out.push({
      label: ecs.overdue
        ? "ECS: an InService member of its group for longer than it takes to join, yet not registered in any cluster: it should have joined by now"
        : "ECS does not list it as a container instance",
      value,
      source: { kind: "api", api: "ecs:ListContainerInstances", field: "ec2InstanceId" },
    });
  }
  if (ecs.clusterMissing) {
    const value = `cluster ${ecs.clusterMissing}: not found`;
    out.push({
      label: `The cluster this instance's ecs.config names (${ecs.clusterMissing}) does not exist in ECS`,
      value,
      match: [0, value.length],
      source: { kind: "api", api: "ecs:ListClusters", field: "clusterArns" },
    });
  }
  return out;
}

/** The region of an ECS ARN (arn:aws:ecs:REGION:...), for the endpoint names of a remedy. */
export function regionOfArn(arn: string | null | undefined): string | undefined {
  const m = /^arn:aws[a-z-]*:ecs:([a-z0-9-]+):/.exec(arn ?? "");
  return m?.[1];
}
