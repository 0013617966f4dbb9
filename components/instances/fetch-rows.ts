import { type CompactRows, expandRows, type InstanceRow } from "./rows.ts";

export const TABLE_ROWS_URL = "/api/instances/table";

/** Every row of the instances table, from /api/instances/table; an error carries the API's message. */
export async function fetchTableRows(signal?: AbortSignal): Promise<InstanceRow[]> {
  // A plain same-origin GET, so it matches the page's <link rel="preload" as="fetch"> and reuses that response.
  const res = await fetch(TABLE_ROWS_URL, { signal });
  const body = (await res.json().catch(() => null)) as (CompactRows & { error?: { message?: string } }) | null;
  if (!res.ok || !body || !Array.isArray(body.ids)) {
    throw new Error(body?.error?.message ?? `the server answered ${res.status}`);
  }
  return expandRows(body);
}
