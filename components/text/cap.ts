/** Longest string from an instance that a page shows; longer ones are cut with a visible marker. */
export const TEXT_CAP = 2_000;

/** Caps untrusted text for display. The marker says how much was cut so nobody mistakes it for the whole line. */
export function cap(value: string | undefined | null, max = TEXT_CAP): string {
  if (value == null) return "";
  const s = String(value);
  if (s.length <= max) return s;
  return `${s.slice(0, max)}… [${s.length - max} more characters]`;
}
