import { GroupsTable } from "@/components/groups/groups-table.tsx";
import { fleetParam, loadGroups } from "../_data/groups.ts";

export const metadata = { title: "Groups" };
export const dynamic = "force-dynamic";

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

/** Every Auto Scaling group of the fleet (`?fleet=`, else the fleet in view) and whether its next launches will fail. */
export default async function GroupsPage({ searchParams }: Props) {
  const q = await searchParams;
  const fleet = fleetParam(q.fleet);
  const { groups, errors } = await loadGroups(fleet);
  const exposure = typeof q.exposure === "string" ? q.exposure : undefined;
  return <GroupsTable groups={groups} errors={errors} fleet={fleet} initialExposure={exposure} />;
}
