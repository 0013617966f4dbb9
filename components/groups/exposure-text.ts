import type { StatusIndicatorProps } from "@cloudscape-design/components/status-indicator";
import type { AgentVersionSource, Exposure, LaunchSource } from "@/lib/exposure/types.ts";

/** Exposure as a status: the icon and the word together, never colour alone. */
export const EXPOSURE_STYLE: Record<Exposure, { type: StatusIndicatorProps.Type; label: string }> = {
  exposed: { type: "error", label: "Exposed" },
  safe: { type: "success", label: "Safe" },
  unknown: { type: "pending", label: "Unknown" },
};

/** What the group launches, in one line: `web-ecs@1`, `web-ecs@$Default (3)`, or the launch configuration. */
export function launchText(l: LaunchSource): string {
  switch (l.kind) {
    case "launch-template":
    case "mixed-instances": {
      const name = l.templateName ?? l.templateId;
      const resolved = l.resolvedVersion !== undefined && String(l.resolvedVersion) !== l.version;
      const v = `${name}@${l.version}${resolved ? ` (${l.resolvedVersion})` : ""}`;
      return l.kind === "mixed-instances" ? `${v}, mixed instances` : v;
    }
    case "launch-configuration":
      return `launch configuration ${l.name}`;
    default:
      return "(none)";
  }
}

const SOURCE: Record<AgentVersionSource["source"], string> = {
  "ssm-parameter": "from the ECS AMI's public parameters",
  "image-name": "from the image name",
  probe: "from what the members run",
  unknown: "source unknown",
};

/** The agent version and where it was learned: `1.89.3 (from the image name)`. */
export function agentText(a: AgentVersionSource): string {
  return `${a.version ?? "unknown"} (${SOURCE[a.source]}${a.affected ? ", affected" : ""})`;
}

export function imageText(a: AgentVersionSource): string {
  if (!a.imageId && !a.imageName) return "(unknown)";
  return [a.imageName, a.imageId && `(${a.imageId})`].filter(Boolean).join(" ");
}

/** A link's query with the fleet kept, so a link reproduces the view in the same fleet. */
export function withFleet(path: string, fleet: string | undefined, params: Record<string, string> = {}): string {
  const q = new URLSearchParams(params);
  if (fleet) q.set("fleet", fleet);
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}
