import { cookies } from "next/headers";
import { preload } from "react-dom";
import { tableRowsUrl } from "@/components/api/client.ts";
import { InstancesTable } from "@/components/instances/instances-table.tsx";
import { PREFERENCES_COOKIE, parsePreferences } from "@/components/instances/preferences.ts";
import { tablePage } from "@/components/instances/table-model.ts";
import { parseTableView } from "@/components/instances/url-state.ts";
import { tableData } from "../_data/fleet.ts";

export const metadata = { title: "Instances" };
export const dynamic = "force-dynamic";

/**
 * The server renders only the page the URL asks for (25 rows by default, not 10,000), so the table is on screen as
 * soon as the HTML arrives; the browser then fetches every row once (/api/instances/table) and filters, sorts and
 * pages itself.
 */
export default async function InstancesPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const [params, jar] = await Promise.all([searchParams, cookies()]);
  const view = parseTableView(params);
  const includeGone = view.includeGone === true;
  // The browser starts fetching every row while it parses this page, not after the scripts have run.
  preload(tableRowsUrl(includeGone, view.fleet), { as: "fetch", crossOrigin: "anonymous" });
  const { rows, filteringOptions } = await tableData(undefined, { includeGone, fleet: view.fleet });
  const preferences = parsePreferences(jar.get(PREFERENCES_COOKIE)?.value);
  return (
    <InstancesTable
      // Another set of rows (another fleet picked, the gone instances shown or hidden) starts the table afresh.
      key={`${view.fleet ?? "all"}.${includeGone ? "gone" : "live"}`}
      firstPage={tablePage(rows, view, preferences.pageSize)}
      filteringOptions={filteringOptions}
      initialView={view}
      initialPreferences={preferences}
    />
  );
}
