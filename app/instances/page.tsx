import { InstancesTable } from "@/components/instances/instances-table.tsx";
import { compactRows } from "@/components/instances/rows.ts";
import { parseTableView } from "@/components/instances/url-state.ts";
import { allLatest } from "../_data/fleet.ts";
import { fetchInstanceView } from "../_data/instance-action.ts";

export const metadata = { title: "Instances" };
export const dynamic = "force-dynamic";

export default async function InstancesPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const [items, params] = await Promise.all([allLatest(), searchParams]);
  return (
    <InstancesTable data={compactRows(items)} initialView={parseTableView(params)} loadInstance={fetchInstanceView} />
  );
}
