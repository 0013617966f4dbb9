import { ScansTable } from "@/components/scans/scans-table.tsx";
import { loadScans } from "../_data/fleet.ts";

export const metadata = { title: "Scans" };
export const dynamic = "force-dynamic";

export default async function ScansPage() {
  const scans = await loadScans(200);
  return <ScansTable scans={scans} />;
}
