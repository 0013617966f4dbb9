import type { StatusIndicatorProps } from "@cloudscape-design/components/status-indicator";
import { VERDICT_CATALOGUE, VERDICTS, type Verdict } from "@/lib/diagnosis/catalogue.ts";

/**
 * How each verdict looks, everywhere: the same label, status icon and colour on the overview, in the table, the
 * detail, the scan pages and the charts, so a colour means one thing across the product. All of it comes from the
 * verdict catalogue (lib/diagnosis/catalogue.ts); this file only shapes it for Cloudscape.
 */
export type VerdictStyle = {
  label: string;
  /** One line for people who do not know the vocabulary yet. */
  description: string;
  type: StatusIndicatorProps.Type;
  color: StatusIndicatorProps.Color;
  /** Chart colour (hex), kept close to the status colour so bars and badges read alike. */
  chart: string;
};

export const VERDICT_STYLE: Record<Verdict, VerdictStyle> = Object.fromEntries(
  // Typed per entry: the catalogue names Cloudscape's values without importing Cloudscape, so this fails to compile
  // if they drift apart.
  VERDICTS.map((v): [Verdict, VerdictStyle] => {
    const { label, description, look } = VERDICT_CATALOGUE[v];
    return [v, { label, description, ...look }];
  }),
) as Record<Verdict, VerdictStyle>;

/** Display order: what a person can fix now first, then what needs work, then the quiet states (the catalogue's). */
export const VERDICT_ORDER: readonly Verdict[] = VERDICTS;
