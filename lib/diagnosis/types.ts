/**
 * The product's vocabulary: verdicts, evidence and remedies. Shared by the engine, the API, the CLI and the
 * dashboard (client components may import this file: it holds types and constants only).
 */

import { FAILURE_KINDS } from "../probe/failure-kinds.ts";
import type { Verdict } from "./catalogue.ts";

// The verdicts themselves live in the catalogue (order, labels, looks, attention); re-exported for the engine's users.
export { NEEDS_ATTENTION, VERDICTS, type Verdict } from "./catalogue.ts";

/**
 * Named sub-causes of `agent-failed` (facts/ecs-agent.md, "Other startup failures"): the failures the probe names
 * from the agent's log, then those the diagnosis tells apart itself from the rest of the report: a lifecycle line
 * other than the 404, docker.service down, the ecs unit disabled, a proxy without NO_PROXY, and a plain exit.
 */
export const AGENT_FAILURE_CAUSES = [
  ...FAILURE_KINDS,
  "lifecycle-other",
  "docker-down",
  "unit-disabled",
  "proxy",
  "exited",
] as const;

export type AgentFailureCause = (typeof AGENT_FAILURE_CAUSES)[number];

/** Where a piece of evidence came from, so a person can check it. */
export type EvidenceSource =
  | { kind: "log"; file: string; line?: number; time?: string }
  | { kind: "imds"; path: string; httpCode: number | null }
  | { kind: "config"; file: string; key: string }
  | { kind: "service"; unit: string; property: string }
  | { kind: "introspection"; url: string; field?: string }
  | { kind: "package"; name: string }
  | { kind: "api"; api: string; field: string }
  | { kind: "probe"; field: string };

export type Evidence = {
  /** One short sentence: what this fact says. */
  label: string;
  /** The raw value or line, as read (untrusted: render as text, already capped in length). */
  value: string;
  /** The part of `value` that matched the rule, as [start, end) offsets, for highlighting. */
  match?: [number, number];
  source: EvidenceSource;
};

export type RemedyId =
  | "restart"
  | "disable-check-and-restart"
  | "upgrade-agent"
  | "attach-to-group"
  | "wait-for-scale-out"
  | "check-ssm-agent"
  | "check-imds"
  | "check-credentials"
  | "check-docker"
  | "clear-checkpoint"
  | "start-docker"
  | "enable-unit"
  | "fix-cluster"
  | "create-cluster"
  | "free-disk"
  | "sync-clock"
  | "set-no-proxy"
  | "check-ecs-route"
  | "reboot-or-replace"
  | "revert-instance-type"
  | "investigate";

export type Remedy = {
  id: RemedyId;
  title: string;
  /** Why this remedy applies here, in one sentence. */
  why: string;
  /** The exact command to run on the instance, if any. */
  command?: string;
  /** The exact config line to set, if any. */
  configLine?: string;
  /** Whether Fleet Doctor can carry this out itself (restart actions). */
  automated: boolean;
};

export type Diagnosis = {
  verdict: Verdict;
  /** For `agent-failed`: which startup failure. */
  cause?: AgentFailureCause;
  /** One sentence a person can act on. */
  summary: string;
  evidence: Evidence[];
  remedies: Remedy[];
  /** True when a plain restart of the agent is expected to succeed. */
  restartWillWork: boolean;
};
