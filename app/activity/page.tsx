import { ActionsTable } from "@/components/actions/actions-table.tsx";
import { loadActions } from "./data.ts";

export const metadata = { title: "Activity" };
export const dynamic = "force-dynamic";

export default async function ActivityPage() {
  return <ActionsTable actions={await loadActions()} />;
}
