/** The dashboard's calls to the actions API (client side). Types only from lib: no server code reaches the browser. */
import type { ActionAnswer } from "@/lib/actions/request-action.ts";
import type { ActionDetail, ActionKind, PreflightCheck } from "@/lib/actions/types.ts";

export type Me = {
  actor: { id: string; role: "viewer" | "operator"; email?: string };
  auth: "none" | "alb";
  banner?: string;
};
export type ApiError = { status: number; code: string; message: string; details?: Record<string, unknown> };

async function read<T>(res: Response): Promise<T> {
  const body = (await res.json().catch(() => ({}))) as T & { error?: Omit<ApiError, "status"> };
  if (!res.ok) {
    const e = body.error ?? { code: "INTERNAL", message: `HTTP ${res.status}` };
    throw Object.assign(new Error(e.message), { status: res.status, code: e.code, details: e.details });
  }
  return body;
}

export async function fetchMe(signal?: AbortSignal): Promise<Me> {
  return read<Me>(await fetch("/api/me", { cache: "no-store", signal }));
}

export async function fetchPreflight(kind: ActionKind, ids: string[], signal?: AbortSignal): Promise<PreflightCheck[]> {
  const q = new URLSearchParams({ kind, ids: ids.join(",") });
  return (
    await read<{ checks: PreflightCheck[] }>(await fetch(`/api/actions/preflight?${q}`, { cache: "no-store", signal }))
  ).checks;
}

export async function fetchScript(kind: ActionKind): Promise<string[]> {
  return (await read<{ commands: string[] }>(await fetch(`/api/actions/script?kind=${kind}`, { cache: "no-store" })))
    .commands;
}

export async function postAction(body: {
  kind: ActionKind;
  instanceIds: string[];
  force?: boolean;
  reason?: string;
  maxConcurrency?: number;
}): Promise<ActionAnswer> {
  const res = await fetch("/api/actions", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return read<ActionAnswer>(res);
}

export async function fetchAction(id: string, signal?: AbortSignal): Promise<ActionDetail> {
  const res = await fetch(`/api/actions/${encodeURIComponent(id)}`, { cache: "no-store", signal });
  return (await read<{ action: ActionDetail }>(res)).action;
}
