import type { AlertEvent } from "./types.ts";

/** Lines listed in one Slack message; past it, a count says how many more there are. */
export const SLACK_MAX_LINES = 20;

/** Slack's mrkdwn control characters, escaped as Slack documents: no id or name can become a link or a mention. */
function esc(s: string): string {
  return s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

function line(e: AlertEvent): string {
  switch (e.kind) {
    case "new-failure":
      return `• \`${esc(e.instanceId)}\` ${esc(e.verdict)}`;
    case "automatic-action":
      return `• \`${esc(e.instanceId)}\` automatic restart: ${esc(e.outcome)}`;
    case "breaker-tripped":
      return `• group \`${esc(e.group)}\`: autopilot stopped after ${e.failures} failed verifications in ${e.windowMinutes} min`;
  }
}

/** The one-line summary: what the message holds, counted. */
export function headline(events: AlertEvent[]): string {
  const n = (k: AlertEvent["kind"]) => events.filter((e) => e.kind === k).length;
  const parts = [
    n("new-failure") && `${n("new-failure")} new failing instance${n("new-failure") === 1 ? "" : "s"}`,
    n("automatic-action") && `${n("automatic-action")} automatic action${n("automatic-action") === 1 ? "" : "s"}`,
    n("breaker-tripped") && `${n("breaker-tripped")} circuit breaker${n("breaker-tripped") === 1 ? "" : "s"} tripped`,
  ].filter(Boolean);
  const fleets = [...new Set(events.map((e) => e.fleet))];
  return `Fleet Doctor: ${parts.join(", ")} in ${fleets.length === 1 ? fleets[0] : `${fleets.length} fleets`}`;
}

/**
 * A Slack incoming-webhook body: `text` (the notification's fallback) and `blocks`. Only instance ids, verdict
 * names, outcomes, group names and counts: nothing an instance wrote (no summaries, no evidence).
 */
export function renderSlack(events: AlertEvent[]): string {
  const shown = events.slice(0, SLACK_MAX_LINES).map(line);
  const more = events.length - shown.length;
  const text = esc(headline(events));
  const blocks: unknown[] = [
    { type: "section", text: { type: "mrkdwn", text: `*${text}*` } },
    { type: "section", text: { type: "mrkdwn", text: shown.join("\n") } },
  ];
  if (more > 0) blocks.push({ type: "context", elements: [{ type: "mrkdwn", text: `and ${more} more` }] });
  return JSON.stringify({ text, blocks });
}
