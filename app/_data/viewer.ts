import "server-only";
import { headers } from "next/headers";
import { currentActor } from "@/lib/auth/index.ts";
import type { Actor } from "@/lib/auth/roles.ts";

/**
 * The signed-in person for a page render or server function. Pages show fleet data, so they need the same viewer
 * role as GET /api/instances; with FLEET_DOCTOR_AUTH=none everyone is the local operator.
 */
export async function currentViewer(): Promise<Actor> {
  const h = await headers();
  return currentActor(new Request("http://fleet-doctor.local/", { headers: h }));
}
