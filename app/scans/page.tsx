import SpaceBetween from "@cloudscape-design/components/space-between";
import { Suspense } from "react";
import { ScansTable } from "@/components/scans/scans-table.tsx";
import { SweepsTable } from "@/components/scans/sweeps-table.tsx";
import { TableSkeleton } from "@/components/states/skeletons.tsx";
import { loadScans } from "../_data/fleet.ts";
import { loadSweeps } from "../_data/sweeps.ts";

export const metadata = { title: "Scans" };
export const dynamic = "force-dynamic";

// The skeleton is a Suspense boundary in this page, not app/scans/loading.tsx: a loading.tsx here would wrap
// /scans/[id] too and stream it, so an unknown scan could only answer 200 instead of 404.
export default function ScansPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  return (
    <Suspense fallback={<TableSkeleton title="Scans" />}>
      <Scans searchParams={searchParams} />
    </Suspense>
  );
}

async function Scans({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const [scans, sweeps] = await Promise.all([loadScans(200, (await searchParams).fleet), loadSweeps(50)]);
  if (sweeps.length === 0) return <ScansTable scans={scans} />;
  // A sweep is one row with a child row per fleet; its fleets' scans are listed below too, as every scan is.
  return (
    <SpaceBetween size="l">
      <SweepsTable sweeps={sweeps} />
      <ScansTable scans={scans} />
    </SpaceBetween>
  );
}
