import Box from "@cloudscape-design/components/box";
import StatusIndicator from "@cloudscape-design/components/status-indicator";
import type { ScanRowLike } from "@/components/scans/progress.ts";
import { describeTargets } from "@/components/scans/targets-text.ts";
import { AppLink } from "@/components/shell/app-link.tsx";
import { count } from "@/components/text/plural.ts";
import { When } from "@/components/text/when.tsx";
import type { Targets } from "@/lib/scan/types.ts";

/** When the fleet was last looked at, so nobody acts on stale verdicts without knowing. */
export function LastScan({ scan }: { scan?: ScanRowLike & { targets: Targets } }) {
  if (!scan) return <Box color="text-status-inactive">No scan has run yet.</Box>;
  return (
    <Box data-testid="last-scan">
      Last scan:{" "}
      <StatusIndicator type={scan.status === "completed" ? "success" : "warning"}>{scan.status}</StatusIndicator>{" "}
      <When iso={scan.finishedAt ?? scan.startedAt} />, {describeTargets(scan.targets)}, {count(scan.done, "instance")}
      {scan.status === "partial" && scan.error ? ` (${scan.error})` : ""}.{" "}
      <AppLink href={`/scans/${encodeURIComponent(scan.id)}`}>Open scan</AppLink>
    </Box>
  );
}
