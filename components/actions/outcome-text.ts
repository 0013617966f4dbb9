import type { InstanceOutcomeKind } from "@/lib/actions/types.ts";

export type StatusType = "success" | "error" | "warning" | "info" | "stopped" | "pending" | "in-progress";

export const OUTCOME: Record<InstanceOutcomeKind, { text: string; type: StatusType }> = {
  registered: { text: "Registered again", type: "success" },
  "failed-again": { text: "Failed again", type: "error" },
  timeout: { text: "Not registered in time", type: "warning" },
  "not-delivered": { text: "Not delivered", type: "error" },
  error: { text: "Error", type: "error" },
  skipped: { text: "Skipped", type: "stopped" },
  unknown: { text: "Unknown", type: "warning" },
};

export const ACTION_STATUS: Record<string, { text: string; type: StatusType }> = {
  running: { text: "Running", type: "in-progress" },
  completed: { text: "Completed", type: "success" },
  "partly-failed": { text: "Partly failed", type: "warning" },
  halted: { text: "Stopped after failures", type: "warning" },
  refused: { text: "Refused", type: "stopped" },
  failed: { text: "Failed", type: "error" },
  interrupted: { text: "Interrupted", type: "warning" },
};

export const KIND_TEXT: Record<string, string> = {
  restart: "Restart agent",
  "disable-check-and-restart": "Turn check off and restart",
};
