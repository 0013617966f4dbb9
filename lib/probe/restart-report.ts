import { z } from "zod";

/** The two remedies Fleet Doctor can carry out on an instance (restart.sh's two modes). */
export const ACTION_KINDS = ["restart", "disable-check-and-restart"] as const;
export type ActionKind = (typeof ACTION_KINDS)[number];

/** The one JSON line restart.sh prints (both modes). */
const serviceState = z.object({
  active: z.string().nullable(),
  sub: z.string().nullable(),
  result: z.string().nullable(),
  status: z.string().nullable(),
});

export const RESTART_OUTCOMES = ["registered", "failed-again", "timeout", "restart-error", "config-error"] as const;
export type RestartOutcome = (typeof RESTART_OUTCOMES)[number];

export const restartReportSchema = z.object({
  schema: z.literal(1),
  kind: z.literal("restart-report"),
  mode: z.enum(ACTION_KINDS),
  init: z.enum(["systemd", "upstart", "unknown"]),
  before: serviceState,
  after: serviceState,
  restartExit: z.number().int().nullable(),
  outcome: z.enum(RESTART_OUTCOMES),
  registered: z.boolean(),
  containerInstanceArn: z.string().nullable(),
  failureLine: z.string().nullable(),
  waiting: z.boolean(),
  seconds: z.number().int().nonnegative(),
  waitLimit: z.number().int().positive(),
  config: z
    .object({
      file: z.string(),
      key: z.string().optional(),
      previous: z.string().nullable().optional(),
      value: z.string().nullable().optional(),
      backup: z.string().nullable().optional(),
      changed: z.boolean().optional(),
      error: z.string().optional(),
    })
    .nullable(),
});

export type RestartReport = z.infer<typeof restartReportSchema>;

export type ParsedRestartOutput =
  | { ok: true; report: RestartReport; stderr?: string }
  | { ok: false; error: string; stderr?: string };

const ERROR_MARKER = "\n----------ERROR-------\n";

/**
 * Reads restart.sh's report out of SSM output (stdout, then SSM's stderr marker and stderr). Never throws: a
 * missing or invalid report is an answer too (the script was killed, or something else printed).
 */
export function parseRestartOutput(output: string): ParsedRestartOutput {
  const cut = output.indexOf(ERROR_MARKER);
  const stdout = cut >= 0 ? output.slice(0, cut) : output;
  const stderr = cut >= 0 ? output.slice(cut + ERROR_MARKER.length).slice(0, 2_000) || undefined : undefined;
  const line = stdout
    .split("\n")
    .reverse()
    .find((l) => l.startsWith('{"schema":1,"kind":"restart-report"'));
  if (!line) return { ok: false, error: "The restart script printed no report.", stderr };
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return { ok: false, error: "The restart report is not valid JSON (cut short?).", stderr };
  }
  const parsed = restartReportSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { ok: false, error: `The restart report is invalid at ${issue.path.join(".")}: ${issue.message}`, stderr };
  }
  return { ok: true, report: parsed.data, stderr };
}
