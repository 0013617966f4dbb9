import StatusIndicator from "@cloudscape-design/components/status-indicator";
import type { Exposure } from "@/lib/exposure/types.ts";
import { EXPOSURE_STYLE } from "./exposure-text.ts";

/** A group's exposure as a status indicator with its word. */
export function ExposureStatus({ exposure }: { exposure: Exposure }) {
  const s = EXPOSURE_STYLE[exposure];
  return <StatusIndicator type={s.type}>{s.label}</StatusIndicator>;
}
