/** Verdicts from what SSM said when the probe gave no usable report: ssm-unreachable, probe-failed, not probed. */
import type { SsmCtx, SsmFacts } from "../facts.ts";
import { remedies } from "../remedies.ts";
import type { Diagnosis, Evidence } from "../types.ts";
import { compact, norm } from "./shared.ts";

/** What SSM said of the instance and of the probe command: its ping status, the command's outcome, the exit code. */
export function ssmEvidence(ssm: SsmFacts): Evidence[] {
  return compact<Evidence>([
    !!ssm.pingStatus && {
      label: "SSM's last word on the instance's agent",
      value: ssm.pingStatus,
      source: { kind: "api", api: "ssm:DescribeInstanceInformation", field: "PingStatus" },
    },
    !!(ssm.status || ssm.statusDetails) && {
      label: "Outcome of the probe command",
      value: [ssm.status, ssm.statusDetails].filter(Boolean).join(" / "),
      source: { kind: "api", api: "ssm:ListCommandInvocations", field: "StatusDetails" },
    },
    ssm.responseCode !== undefined &&
      ssm.responseCode !== -1 && {
        label: "Exit code of the probe",
        value: String(ssm.responseCode),
        source: { kind: "api", api: "ssm:ListCommandInvocations", field: "ResponseCode" },
      },
  ]);
}

export function notManaged({ ssm }: SsmCtx): Diagnosis {
  return {
    verdict: "ssm-unreachable",
    summary:
      "Not managed by SSM: Systems Manager does not list this instance (stopped or terminated, no SSM agent, or no instance profile that lets it register), so the probe could not be sent.",
    evidence: ssmEvidence(ssm),
    remedies: [
      remedies.checkSsm(
        "The instance must be a managed instance, online in SSM, before Fleet Doctor can look inside it.",
      ),
    ],
    restartWillWork: false,
  };
}

/** A probe SSM had not ended when the scan's deadline (delivery plus execution timeout) passed. */
export function unresolved({ ssm }: SsmCtx): Diagnosis {
  const waited = ssm.waitedSeconds !== undefined ? ` after ${ssm.waitedSeconds} s` : "";
  return {
    verdict: "unknown",
    summary: `Unresolved: the probe was sent, but SSM still reported it ${ssm.status ?? "Pending"} when the scan stopped waiting${waited} (its delivery and execution timeouts had passed). Nothing is known about its ECS agent yet.`,
    evidence: compact<Evidence>([
      ...ssmEvidence(ssm),
      ssm.waitedSeconds !== undefined && {
        label: "How long the scan waited for SSM to end the probe",
        value: `${ssm.waitedSeconds} s`,
        source: { kind: "api", api: "ssm:ListCommandInvocations", field: "Status" },
      },
    ]),
    remedies: [
      remedies.investigate(
        "Scan the instance again; if it stays unresolved, look at its SSM agent.",
        "npx fleet-doctor scan --ids <instance-id>",
      ),
    ],
    restartWillWork: false,
  };
}

export function ssmUnreachable({ ssm }: SsmCtx): Diagnosis {
  return {
    verdict: "ssm-unreachable",
    summary: `SSM could not deliver the probe (${norm(ssm.statusDetails) || norm(ssm.pingStatus)}): the instance's SSM agent is offline or unreachable, so nothing is known about its ECS agent.`,
    evidence: ssmEvidence(ssm),
    remedies: [remedies.checkSsm("The SSM agent must be online before Fleet Doctor can look inside the instance.")],
    restartWillWork: false,
  };
}

export function probeFailed({ probe, ssm }: SsmCtx): Diagnosis {
  const error = probe?.ok === false ? probe.error : `the command ended ${norm(ssm.statusDetails) || norm(ssm.status)}`;
  return {
    verdict: "probe-failed",
    summary: `The probe ran but gave no usable report: ${error}.`,
    evidence: [
      { label: "Why the probe output was not usable", value: error, source: { kind: "probe", field: "output" } },
      ...ssmEvidence(ssm),
      ...(ssm.output
        ? [
            {
              label: "The start of what the probe printed",
              value: ssm.output.slice(0, 300),
              source: { kind: "api" as const, api: "ssm:ListCommandInvocations", field: "CommandPlugins.Output" },
            },
          ]
        : []),
    ],
    remedies: [
      remedies.investigate(
        "Scan again; if it fails again, read the command's output in the SSM console or run the probe by hand.",
        "aws ssm list-command-invocations --details --instance-id <instance-id> --max-items 1",
      ),
    ],
    restartWillWork: false,
  };
}

export function notProbed({ ssm }: SsmCtx): Diagnosis {
  return {
    verdict: "unknown",
    summary: "The instance has not been probed yet, so nothing is known about its ECS agent.",
    evidence: ssmEvidence(ssm),
    remedies: [remedies.investigate("Scan the instance.", "npx fleet-doctor scan")],
    restartWillWork: false,
  };
}
