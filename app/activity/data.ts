import "server-only";
import { ensureResumed } from "@/lib/actions/context.ts";
import type { ActionDetail, ActionRow } from "@/lib/actions/types.ts";
import { getStore } from "@/lib/store/index.ts";
import { currentViewer } from "../_data/viewer.ts";

export async function loadActions(): Promise<ActionRow[]> {
  await currentViewer();
  await ensureResumed();
  return getStore().actions.list({ limit: 200 });
}

export async function loadAction(id: string): Promise<ActionDetail | undefined> {
  await currentViewer();
  if (!/^[0-9a-f-]{36}$/.test(id)) return undefined;
  return getStore().actions.detail(id);
}
