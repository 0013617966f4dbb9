/**
 * Every call the browser makes to the server, as typed functions over the JSON API (and the event stream URLs for
 * EventSource). One place for the error envelope: a failed call throws an ApiFailure with the API's status, code,
 * message and details. Types only from lib: no server code reaches the browser.
 */
import type { InstanceView } from "@/components/instance/types.ts";
import { type CompactRows, expandRows, type InstanceRow } from "@/components/instances/rows.ts";
import type { ScanRowLike } from "@/components/scans/progress.ts";
import type { ActionAnswer } from "@/lib/actions/request-action.ts";
import type { ActionDetail, ActionKind, PreflightCheck } from "@/lib/actions/types.ts";
import type { PolicyRequest } from "@/lib/autopilot/requests.ts";
import type { AutopilotStatusAnswer } from "@/lib/autopilot/status.ts";
import type { AutopilotStatus, Policy } from "@/lib/autopilot/types.ts";
import type { CreatedVersion } from "@/lib/exposure/create-fixed-template-version.ts";
import type { GroupDetail } from "@/lib/exposure/group-detail.ts";
import type { GroupExposure } from "@/lib/exposure/types.ts";
import type { SweepFleet, SweepView } from "@/lib/scan/sweep-types.ts";
import type { Targets } from "@/lib/scan/types.ts";
import type { WatchStatus } from "@/lib/watch/types.ts";

export type Me = {
  actor: { id: string; role: "viewer" | "operator"; email?: string };
  auth: "none" | "alb";
  banner?: string;
};
export type ApiError = { status: number; code: string; message: string; details?: Record<string, unknown> };
export type ApiFailure = Error & ApiError;

const seg = (id: string) => encodeURIComponent(id);

async function read<T>(res: Response): Promise<T> {
  const body = (await res.json().catch(() => ({}))) as T & { error?: Omit<ApiError, "status"> };
  if (!res.ok) {
    const e = body.error ?? { code: "INTERNAL", message: `The server answered ${res.status}.` };
    throw Object.assign(new Error(e.message), { status: res.status, code: e.code, details: e.details });
  }
  return body;
}

const get = async <T>(url: string, signal?: AbortSignal) => read<T>(await fetch(url, { cache: "no-store", signal }));

async function send<T>(method: "POST" | "PUT" | "DELETE", url: string, body?: unknown): Promise<T> {
  const res = await fetch(url, {
    method,
    ...(body === undefined ? {} : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
  });
  return read<T>(res);
}

export const fetchMe = (signal?: AbortSignal) => get<Me>("/api/me", signal);

/** The watcher's status: who leads it, its last look, whether it is behind, its full-scan schedule. */
export const fetchWatch = (signal?: AbortSignal) => get<WatchStatus>("/api/watch", signal);

/** `fleet`: the fleet of the instances (`<account>/<region>`); the server requires it when it reads several. */
export async function fetchPreflight(
  kind: ActionKind,
  ids: string[],
  signal?: AbortSignal,
  fleet?: string,
): Promise<PreflightCheck[]> {
  const q = new URLSearchParams({ kind, ids: ids.join(","), ...(fleet ? { fleet } : {}) });
  return (await get<{ checks: PreflightCheck[] }>(`/api/actions/preflight?${q}`, signal)).checks;
}

export async function fetchScript(kind: ActionKind): Promise<string[]> {
  return (await get<{ commands: string[] }>(`/api/actions/script?${new URLSearchParams({ kind })}`)).commands;
}

export const postAction = (body: {
  kind: ActionKind;
  /** The fleet of the instances shown: an instance id is only unique inside one fleet. */
  fleet?: string;
  instanceIds: string[];
  force?: boolean;
  reason?: string;
}) => send<ActionAnswer>("POST", "/api/actions", body);

export async function fetchAction(actionId: string, signal?: AbortSignal): Promise<ActionDetail> {
  return (await get<{ action: ActionDetail }>(`/api/actions/${seg(actionId)}`, signal)).action;
}

/** The action's stored events as SSE text (for an action that has ended: the stream closes at once). */
export async function fetchActionEventsText(actionId: string): Promise<string> {
  return (await fetch(actionEventsUrl(actionId), { cache: "no-store" })).text();
}

export const actionEventsUrl = (actionId: string) => `/api/actions/${seg(actionId)}/events`;

/**
 * Starts a scan: its id, or (409) the id of the scan already running over the same targets. With `fleets`, or when
 * the server reads a fleets file, a sweep: `sweepId` and each fleet's scan (`scanId` too when it read one fleet).
 */
export async function startScan(
  targets: Targets,
  fleets?: string[] | "all",
): Promise<{ scanId?: string; running?: boolean; sweepId?: string; scans?: SweepFleet[] }> {
  try {
    return await send<{ scanId?: string; sweepId?: string; scans?: SweepFleet[] }>("POST", "/api/scans", {
      targets,
      ...(fleets ? { fleets } : {}),
    });
  } catch (e) {
    const f = e as ApiFailure;
    if (f.status === 409 && typeof f.details?.scanId === "string") return { scanId: f.details.scanId, running: true };
    throw e;
  }
}

/** A sweep (a scan over several fleets) with each fleet's scan (status, counts) or error. */
export async function fetchSweep(sweepId: string, signal?: AbortSignal): Promise<SweepView> {
  return (await get<{ sweep: SweepView }>(`/api/sweeps/${seg(sweepId)}`, signal)).sweep;
}

/** The scan's row alone (done/total/counts) and the seq of its last event: one small read, never every result. */
export function fetchScanRow(scanId: string, signal?: AbortSignal): Promise<{ scan: ScanRowLike; lastSeq?: number }> {
  return get(`/api/scans/${seg(scanId)}?fields=scan`, signal);
}

export const scanEventsUrl = (scanId: string, after?: number) =>
  `/api/scans/${seg(scanId)}/events${after ? `?after=${after}` : ""}`;

export const TABLE_ROWS_URL = "/api/instances/table";

/** The table's rows, with the gone instances (`?include=gone`) or without. */
/** The rows of the fleet picked (`fleet`; undefined: every fleet), with the gone instances or not. */
export function tableRowsUrl(includeGone = false, fleet?: string): string {
  const q = new URLSearchParams();
  if (includeGone) q.set("include", "gone");
  if (fleet) q.set("fleet", fleet);
  const s = q.toString();
  return s ? `${TABLE_ROWS_URL}?${s}` : TABLE_ROWS_URL;
}

/** Every row of the instances table, from /api/instances/table. */
export async function fetchTableRows(
  signal?: AbortSignal,
  includeGone = false,
  fleet?: string,
): Promise<InstanceRow[]> {
  // A plain same-origin GET (default cache mode), so it matches the page's <link rel="preload" as="fetch">.
  const body = await read<CompactRows>(await fetch(tableRowsUrl(includeGone, fleet), { signal }));
  if (!Array.isArray(body.ids)) throw new Error("The server answered without rows.");
  return expandRows(body);
}

/** One instance as its detail page shows it; null when Fleet Doctor has no result for it. */
export async function fetchInstanceView(
  instanceId: string,
  signal?: AbortSignal,
  fleet?: string,
): Promise<InstanceView | null> {
  const query = fleet ? `?fleet=${encodeURIComponent(fleet)}` : "";
  try {
    return (await get<{ view: InstanceView }>(`/api/instances/${seg(instanceId)}/view${query}`, signal)).view;
  } catch (e) {
    if ((e as ApiFailure).status === 404 || (e as ApiFailure).status === 400) return null;
    throw e;
  }
}

/** Autopilot in the fleet the server reads: kill switch, policies, breakers, recent entries, groups. */
/** Autopilot in `fleet` (the page's selected fleet); without it, the server's one fleet. */
export const fetchAutopilot = (signal?: AbortSignal, fleet?: string) =>
  get<AutopilotStatusAnswer>(`/api/autopilot${fleet ? `?${new URLSearchParams({ fleet })}` : ""}`, signal);

export const putAutopilotPolicy = (body: PolicyRequest) =>
  send<{ policy: Policy; before: Policy | null }>("PUT", "/api/autopilot/policies", body);

export const postKillSwitch = (engaged: boolean, fleet?: string) =>
  send<{ killSwitch: AutopilotStatus["killSwitch"] }>("POST", "/api/autopilot/kill-switch", {
    ...(fleet ? { fleet } : {}),
    engaged,
  });

/** `group: null`: the breaker of the instances in no group. */
export const postBreakerReset = (group: string | null, fleet?: string) =>
  send<{ group: string | null; reset: true }>("POST", "/api/autopilot/breakers/reset", {
    ...(fleet ? { fleet } : {}),
    group,
  });

const groupUrl = (name: string, fleet: string | undefined, tail = "") =>
  `/api/groups/${seg(name)}${tail}${fleet ? `?${new URLSearchParams({ fleet })}` : ""}`;

/** One group: exposure, warm pool, members by verdict, the fix (diff, commands, tokens) and its audit. */
export const fetchGroup = (name: string, fleet?: string, signal?: AbortSignal) =>
  get<GroupDetail>(groupUrl(name, fleet), signal);

/** Step 1 of a group's fix: the launch template version from the previewed plan (its token). */
export const postGroupTemplate = (name: string, fleet: string | undefined, token: string) =>
  send<CreatedVersion>("POST", groupUrl(name, fleet, "/fix/template"), { token });

/** Step 2: the group pointed at the version step 1 created (the token step 1 answered). */
export const postGroupPoint = (name: string, fleet: string | undefined, version: number, token: string) =>
  send<{ group: string; templateId: string; version: number; exposure: GroupExposure; refreshToken: string }>(
    "POST",
    groupUrl(name, fleet, "/fix/point"),
    { version, token },
  );

/**
 * Step 3 (optional): an instance refresh of the group, once it launches the fixed version; with the token step 2
 * answered, or (a page opened after step 2) the operator's explicit confirmation.
 */
export const postGroupRefresh = (name: string, fleet: string | undefined, token?: string) =>
  send<{ group: string; instanceRefreshId: string }>(
    "POST",
    groupUrl(name, fleet, "/fix/refresh"),
    token ? { token } : { confirm: true },
  );
