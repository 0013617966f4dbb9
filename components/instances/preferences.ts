import { DEFAULT_PAGE_SIZE, PAGE_SIZES } from "./table-model.ts";
import type { SortKey } from "./url-state.ts";

/**
 * The instances table's preferences (page size, columns, striped rows), kept in a cookie rather than localStorage so
 * the server renders the page the person will see: no jump to another page size once the browser takes over.
 */
/**
 * The table's columns, in their default order: each one is also a sort key. Account and region show only when the
 * rows come from more than one fleet (components/instances/instances-table.tsx).
 */
export const COLUMN_IDS: readonly SortKey[] = [
  "verdict",
  "instanceId",
  "account",
  "region",
  "group",
  "lifecycleState",
  "agentVersion",
  "pingStatus",
  "registered",
  "probedAt",
];
export type ColumnId = SortKey;

export type TablePreferences = {
  pageSize: number;
  contentDisplay: { id: ColumnId; visible: boolean }[];
  stripedRows: boolean;
};

export const PREFERENCES_COOKIE = "fleet-doctor-instances-table";

/**
 * Off by default, one click away in the preferences (and shown in every instance's panel): with them on the columns
 * no longer fit at 1280 px with the navigation open. SSM ping is nearly always Online, and when it is not the
 * verdict says so (SSM unreachable); the ping filter works with the column hidden.
 */
export const HIDDEN_BY_DEFAULT: readonly ColumnId[] = ["pingStatus", "probedAt"];

export const DEFAULT_PREFERENCES: TablePreferences = {
  pageSize: DEFAULT_PAGE_SIZE,
  contentDisplay: COLUMN_IDS.map((id) => ({ id, visible: !HIDDEN_BY_DEFAULT.includes(id) })),
  stripedRows: false,
};

/** The cookie's value, or the defaults for anything missing or malformed (a bad cookie is not worth an error). */
export function parsePreferences(raw: string | undefined): TablePreferences {
  try {
    return normalizePreferences(raw ? JSON.parse(decodeURIComponent(raw)) : undefined);
  } catch {
    return DEFAULT_PREFERENCES;
  }
}

/** Keeps what is valid in `v` (known page sizes and columns, each column once) and defaults the rest. */
export function normalizePreferences(v: unknown): TablePreferences {
  if (!v || typeof v !== "object") return DEFAULT_PREFERENCES;
  const o = v as Record<string, unknown>;
  const pageSize = (PAGE_SIZES as readonly unknown[]).includes(o.pageSize) ? (o.pageSize as number) : DEFAULT_PAGE_SIZE;
  const stripedRows = o.stripedRows === true;
  const seen = new Set<ColumnId>();
  const contentDisplay: TablePreferences["contentDisplay"] = [];
  if (Array.isArray(o.contentDisplay)) {
    for (const c of o.contentDisplay as { id?: unknown; visible?: unknown }[]) {
      const id = c?.id as ColumnId;
      if (!COLUMN_IDS.includes(id) || seen.has(id)) continue;
      seen.add(id);
      contentDisplay.push({ id, visible: c.visible !== false });
    }
  }
  // Columns the cookie does not know (added since it was written) are shown at the end.
  for (const id of COLUMN_IDS) if (!seen.has(id)) contentDisplay.push({ id, visible: true });
  return { pageSize, contentDisplay, stripedRows };
}

export function preferencesCookie(p: TablePreferences): string {
  const value = encodeURIComponent(JSON.stringify(p));
  return `${PREFERENCES_COOKIE}=${value}; Path=/instances; Max-Age=31536000; SameSite=Lax`;
}
