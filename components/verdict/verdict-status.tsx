import StatusIndicator from "@cloudscape-design/components/status-indicator";
import type { Verdict } from "@/lib/diagnosis/types.ts";
import { VERDICT_STYLE } from "./verdicts.ts";

/** A verdict as a status indicator: the one way verdicts are shown in text. */
export function VerdictStatus({ verdict, withCode = false }: { verdict: Verdict; withCode?: boolean }) {
  const style = VERDICT_STYLE[verdict];
  return (
    <StatusIndicator type={style.type} colorOverride={style.color}>
      {style.label}
      {withCode ? ` (${verdict})` : null}
    </StatusIndicator>
  );
}
