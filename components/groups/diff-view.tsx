import { cap } from "@/components/text/cap.ts";

const MAX_LINES = 400;

/** Read by screen readers, not drawn. */
const HIDDEN: React.CSSProperties = {
  position: "absolute",
  width: 1,
  height: 1,
  overflow: "hidden",
  clip: "rect(0 0 0 0)",
  whiteSpace: "nowrap",
};

/** The mark and the words a screen reader says for each kind of diff line: the sign carries it, not the colour. */
function kindOf(line: string): "add" | "remove" | "meta" | "same" {
  if (line.startsWith("+++") || line.startsWith("---") || line.startsWith("@@")) return "meta";
  if (line.startsWith("+")) return "add";
  if (line.startsWith("-")) return "remove";
  return "same";
}

const STYLE: Record<ReturnType<typeof kindOf>, React.CSSProperties> = {
  add: { background: "rgba(3, 122, 42, 0.14)" },
  remove: { background: "rgba(209, 50, 18, 0.14)" },
  meta: { opacity: 0.8, fontStyle: "italic" },
  same: {},
};

/**
 * A unified diff as text: each line keeps its `+` / `-` mark (added and removed lines are also tinted, and labelled for
 * screen readers). The user data came from a launch template: untrusted, so rendered as text, lines and length capped.
 */
export function DiffView({ diff, label }: { diff: string; label: string }) {
  const lines = diff.replace(/\n$/, "").split("\n");
  const shown = lines.slice(0, MAX_LINES);
  return (
    <figure aria-label={label} style={{ margin: 0 }}>
      <pre
        data-testid="fix-diff"
        style={{
          margin: 0,
          padding: 8,
          overflowX: "auto",
          fontSize: 13,
          lineHeight: 1.5,
          border: "1px solid rgba(128,128,128,0.4)",
          borderRadius: 8,
        }}
      >
        {shown.map((line, i) => {
          const k = kindOf(line);
          return (
            <div key={i} data-diff={k} style={{ ...STYLE[k], whiteSpace: "pre-wrap", overflowWrap: "anywhere" }}>
              {k === "add" ? <span style={HIDDEN}>added: </span> : null}
              {k === "remove" ? <span style={HIDDEN}>removed: </span> : null}
              {cap(line, 500) || " "}
            </div>
          );
        })}
        {lines.length > MAX_LINES ? <div>{`… ${lines.length - MAX_LINES} more lines`}</div> : null}
      </pre>
    </figure>
  );
}
