import type { PropertyFilterQuery, PropertyFilterToken } from "@cloudscape-design/collection-hooks";
import { FLEET_PARAM, selectedFleet } from "@/lib/fleets/fleet-ids.ts";

/**
 * The instances table's view (filters, sort, page, the instance opened in the split panel) as a query string, so a
 * link reproduces the view: `/instances?verdict=lifecycle-404:ready&group=!web&q=i-0ab&sort=probedAt&desc=1&page=2`.
 * A value starting with `!` means "not equal"; `q` is free text; `op=or` joins the filters with OR; `include=gone`
 * lists the instances a full scan of the fleet no longer sees too; `fleet` is the header's fleet picker (the rows the
 * server sends), `account` and `region` filter those rows like the other properties.
 */
export type TableView = {
  query: PropertyFilterQuery;
  sortKey?: SortKey;
  desc: boolean;
  page: number;
  selected?: string;
  /** Also the gone instances (`include=gone`): they are out of the default listing. */
  includeGone?: boolean;
  /** The fleet picked in the header (`?fleet=<account>/<region>`); undefined: every fleet. */
  fleet?: string;
};

export const SORT_KEYS = [
  "verdict",
  "instanceId",
  "group",
  "lifecycleState",
  "agentVersion",
  "pingStatus",
  "registered",
  "probedAt",
  "account",
  "region",
] as const;
export type SortKey = (typeof SORT_KEYS)[number];

/** URL parameter name -> row property. */
export const URL_PROPERTY: Record<string, string> = {
  verdict: "verdict",
  group: "group",
  version: "agentVersion",
  ping: "pingStatus",
  lifecycle: "lifecycleState",
  registered: "registered",
  id: "instanceId",
  account: "account",
  region: "region",
};
const PROPERTY_URL = Object.fromEntries(Object.entries(URL_PROPERTY).map(([k, v]) => [v, k]));

export type SearchParamsLike = URLSearchParams | Record<string, string | string[] | undefined>;

function toSearchParams(p: SearchParamsLike): URLSearchParams {
  if (p instanceof URLSearchParams) return p;
  const out = new URLSearchParams();
  for (const [k, v] of Object.entries(p)) {
    if (v === undefined) continue;
    for (const one of Array.isArray(v) ? v : [v]) out.append(k, one);
  }
  return out;
}

const MAX_TOKENS = 20;

export function parseTableView(input: SearchParamsLike): TableView {
  const p = toSearchParams(input);
  const tokens: PropertyFilterToken[] = [];
  for (const [name, raw] of p) {
    if (tokens.length >= MAX_TOKENS) break;
    const value = raw.slice(0, 200);
    if (name === "q") {
      if (value) tokens.push({ operator: ":", value });
      continue;
    }
    const propertyKey = URL_PROPERTY[name];
    if (!propertyKey || !value) continue;
    const negated = value.startsWith("!");
    const v = negated ? value.slice(1) : value;
    if (!v) continue;
    if (propertyKey === "instanceId") tokens.push({ propertyKey, operator: negated ? "!:" : ":", value: v });
    else tokens.push({ propertyKey, operator: negated ? "!=" : "=", value: v });
  }
  const sort = p.get("sort");
  const page = Number.parseInt(p.get("page") ?? "1", 10);
  return {
    query: { tokens, operation: p.get("op") === "or" ? "or" : "and" },
    sortKey: (SORT_KEYS as readonly string[]).includes(sort ?? "") ? (sort as SortKey) : undefined,
    desc: p.get("desc") === "1",
    page: Number.isFinite(page) && page > 0 ? Math.min(page, 100_000) : 1,
    selected: p.get("selected")?.slice(0, 64) || undefined,
    ...(p.getAll("include").includes("gone") ? { includeGone: true } : {}),
    ...(selectedFleet(p.get(FLEET_PARAM)) ? { fleet: selectedFleet(p.get(FLEET_PARAM)) } : {}),
  };
}

export function tableViewToSearch(view: TableView): string {
  const p = new URLSearchParams();
  if (view.fleet) p.set(FLEET_PARAM, view.fleet);
  for (const t of view.query.tokens) {
    const value = String(t.value ?? "");
    if (!value) continue;
    if (!t.propertyKey) {
      p.append("q", value);
      continue;
    }
    const name = PROPERTY_URL[t.propertyKey];
    if (!name) continue;
    const negated = t.operator === "!=" || t.operator === "!:";
    p.append(name, negated ? `!${value}` : value);
  }
  if (view.query.operation === "or" && view.query.tokens.length > 1) p.set("op", "or");
  if (view.sortKey) p.set("sort", view.sortKey);
  if (view.sortKey && view.desc) p.set("desc", "1");
  if (view.page > 1) p.set("page", String(view.page));
  if (view.selected) p.set("selected", view.selected);
  if (view.includeGone) p.set("include", "gone");
  const s = p.toString();
  return s ? `?${s}` : "";
}
