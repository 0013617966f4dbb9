import { cap, TEXT_CAP } from "@/components/text/cap.ts";

/**
 * A line from an instance, as text, with the part a rule matched wrapped in <mark>. React escapes every piece, so
 * markup in a log line shows as the characters it is made of and never runs.
 */
export function HighlightedText({ value, match }: { value: string; match?: [number, number] }) {
  const text = cap(value);
  const style = { whiteSpace: "pre-wrap", overflowWrap: "anywhere" } as const;
  if (!match) return <code style={style}>{text}</code>;
  const start = Math.max(0, Math.min(match[0], TEXT_CAP));
  const end = Math.max(start, Math.min(match[1], TEXT_CAP, value.length));
  if (end <= start) return <code style={style}>{text}</code>;
  return (
    <code style={style}>
      {text.slice(0, start)}
      <mark data-testid="evidence-match" style={{ background: "#ffe347", color: "#000", padding: "0 1px" }}>
        {text.slice(start, end)}
      </mark>
      {text.slice(end)}
    </code>
  );
}
