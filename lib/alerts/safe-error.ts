/**
 * What the delivery log and the server log say about a failed attempt. Never the error's own message: fetch's may
 * quote the URL (which holds Slack's token), so only a fixed phrase and a system error code (ECONNREFUSED...) are
 * kept, and `scrub` removes the webhook's URL, origin, path and secret from whatever text is left, as a second guard.
 */
export function safeError(e: unknown, timeoutMs: number): string {
  if (e instanceof DOMException && e.name === "TimeoutError") return `timed out after ${timeoutMs} ms`;
  const code = (e as { cause?: { code?: unknown } })?.cause?.code ?? (e as { code?: unknown })?.code;
  return typeof code === "string" && /^[A-Z][A-Z0-9_]{1,40}$/.test(code) ? `network error (${code})` : "network error";
}

/** Removes every secret part of a webhook from `text` (its URL whole and in parts, its secret). */
export function scrub(text: string, secrets: { url: string; secret?: string }): string {
  const u = new URL(secrets.url);
  const parts = [secrets.url, u.href, u.host + u.pathname, u.pathname + u.search, u.search, secrets.secret ?? ""]
    .filter((p) => p.length >= 4 && p !== "/")
    .sort((a, b) => b.length - a.length);
  let out = text;
  for (const p of parts) out = out.split(p).join("[redacted]");
  return out;
}
