import type { StatusIndicatorProps } from "@cloudscape-design/components/status-indicator";
import { VERDICTS, type Verdict } from "@/lib/diagnosis/types.ts";

/**
 * How each verdict looks, everywhere: the same label, status icon and colour on the overview, in the table, the
 * detail, the scan pages and the charts, so a colour means one thing across the product.
 */
export type VerdictStyle = {
  label: string;
  /** One line for people who do not know the vocabulary yet. */
  description: string;
  type: StatusIndicatorProps.Type;
  color: StatusIndicatorProps.Color;
  /** Chart colour (hex), kept close to the status colour so bars and badges read alike. */
  chart: string;
};

export const VERDICT_STYLE: Record<Verdict, VerdictStyle> = {
  "lifecycle-404:ready": {
    label: "Restart will fix",
    description: "Agent died on the lifecycle 404; metadata now says InService, so a restart succeeds.",
    type: "info",
    color: "blue",
    chart: "#0972d3",
  },
  "lifecycle-404:blocked": {
    label: "404, blocked",
    description: "Agent died on the lifecycle 404 and the instance is still in no group: fix that before restarting.",
    type: "error",
    color: "red",
    chart: "#d91515",
  },
  "lifecycle-404:warmed": {
    label: "404, warmed",
    description:
      "Agent died on the lifecycle 404; the instance is in the warm pool, a restart would wait for scale-out.",
    type: "stopped",
    color: "grey",
    chart: "#8d6605",
  },
  "agent-failed": {
    label: "Agent failed",
    description: "The agent is down for another named reason (credentials, registration, docker, state...).",
    type: "error",
    color: "red",
    chart: "#a21212",
  },
  "imds-unreachable": {
    label: "IMDS unreachable",
    description: "The probe could not reach instance metadata.",
    type: "error",
    color: "red",
    chart: "#d13212",
  },
  "at-risk": {
    label: "At risk",
    description:
      "Registered now, but the next agent start will fail the same way (check on, affected version, no group).",
    type: "warning",
    color: "yellow",
    chart: "#b2911c",
  },
  waiting: {
    label: "Waiting",
    description: "The agent is alive and polling for InService (warm pool, or a fixed agent waiting out a 404).",
    type: "pending",
    color: "grey",
    chart: "#7d8998",
  },
  "ssm-unreachable": {
    label: "SSM unreachable",
    description: "Systems Manager could not deliver the probe (connection lost, undeliverable, delivery timed out).",
    type: "stopped",
    color: "grey",
    chart: "#5f6b7a",
  },
  "probe-failed": {
    label: "Probe failed",
    description: "The probe ran but failed, timed out, or printed no valid report.",
    type: "warning",
    color: "yellow",
    chart: "#df9a00",
  },
  unknown: {
    label: "Unknown",
    description: "Nothing Fleet Doctor knows fits this instance.",
    type: "not-started",
    color: "grey",
    chart: "#9ba7b6",
  },
  healthy: {
    label: "Healthy",
    description: "The agent is registered with its cluster.",
    type: "success",
    color: "green",
    chart: "#037f0c",
  },
};

/** Display order: what a person can fix now first, then what needs work, then the quiet states. */
export const VERDICT_ORDER: readonly Verdict[] = [
  "lifecycle-404:ready",
  "lifecycle-404:blocked",
  "lifecycle-404:warmed",
  "agent-failed",
  "imds-unreachable",
  "at-risk",
  "waiting",
  "ssm-unreachable",
  "probe-failed",
  "unknown",
  "healthy",
];

const KNOWN = new Set<string>(VERDICTS);

export function isVerdict(s: string): s is Verdict {
  return KNOWN.has(s);
}

export function verdictLabel(v: string): string {
  return isVerdict(v) ? VERDICT_STYLE[v].label : v;
}
