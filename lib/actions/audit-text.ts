/**
 * Text a person wrote that goes into the audit log (a restart's reason): control characters (NUL, newlines, tabs,
 * escapes, C1), line and paragraph separators and bidirectional overrides become spaces, so a stored line reads as
 * it will be shown and cannot forge a second line, a terminal escape or reversed text in an export or a log.
 */
const UNSAFE = /[\p{Cc}\u2028\u2029\u202A-\u202E\u2066-\u2069]+/gu;

export function auditText(text: string): string {
  return text.replace(UNSAFE, " ").replace(/ {2,}/g, " ").trim();
}
