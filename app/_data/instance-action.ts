"use server";

import type { InstanceView } from "@/components/instance/types.ts";
import { loadInstance } from "./instance.ts";

/** The split panel's read of one instance: the same data the detail page renders. */
export async function fetchInstanceView(instanceId: string): Promise<InstanceView | null> {
  if (typeof instanceId !== "string" || instanceId.length > 64) return null;
  return (await loadInstance(instanceId)) ?? null;
}
