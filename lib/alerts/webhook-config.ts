import { z } from "zod";

/**
 * One alert webhook: Slack's incoming webhook format, or a generic JSON body signed with HMAC-SHA256 (the secret is
 * required then). `name` is what pages and logs show; the URL and the secret are secrets and are never shown.
 */
export type Webhook = {
  name: string;
  format: "slack" | "json";
  url: string;
  secret?: string;
  /** Which alerts it receives (default: all). */
  events: AlertKind[];
};

export const ALERT_KINDS = ["new-failure", "automatic-action", "breaker-tripped"] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

const webhookSchema = z
  .object({
    name: z.string().regex(/^[\w.-]{1,64}$/, "expected 1-64 letters, digits, dots, dashes or underscores"),
    format: z.enum(["slack", "json"]),
    url: z.url({ protocol: /^https?$/, error: "expected an http(s) URL" }),
    secret: z.string().min(16, "must be at least 16 characters").optional(),
    events: z.array(z.enum(ALERT_KINDS)).min(1).optional(),
  })
  .strict()
  .refine((w) => w.format !== "json" || w.secret !== undefined, {
    message: "a json webhook needs a secret (its bodies are signed with HMAC-SHA256)",
    path: ["secret"],
  });

/**
 * Parses FLEET_DOCTOR_WEBHOOKS: empty (no alerts) or a JSON array of webhooks. Throws an Error naming the bad entry
 * by its index and field, never echoing a value (it may be a secret).
 */
export function parseWebhooks(text: string): Webhook[] {
  if (text.trim() === "") return [];
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new Error("not valid JSON (expected an array of webhooks)");
  }
  const parsed = z.array(webhookSchema).safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length ? `entry ${issue.path.map(String).join(".")}` : "the value";
    throw new Error(`${where}: ${issue.message}`);
  }
  const names = new Set<string>();
  for (const [i, w] of parsed.data.entries()) {
    if (names.has(w.name)) throw new Error(`entry ${i}.name: duplicate webhook name '${w.name}'`);
    names.add(w.name);
  }
  return parsed.data.map((w) => ({ ...w, events: w.events ?? [...ALERT_KINDS] }));
}
