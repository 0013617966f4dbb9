import { config } from "../config.ts";
import type { Store } from "./interfaces.ts";
import { openStore } from "./store.ts";

export type * from "./interfaces.ts";
export { openStore, requireScan } from "./store.ts";
export type * from "./types.ts";

// On globalThis so that every bundle of the Next.js server (each route is its own entry) shares one connection
// (and so one lease owner and one heartbeat per process).
const KEY = Symbol.for("fleet-doctor.store");
type Holder = { [KEY]?: Store };

/** The process's store at FLEET_DOCTOR_DB (folder created, migrated, abandoned scans marked on first use). */
export function getStore(): Store {
  const g = globalThis as Holder;
  const c = config();
  g[KEY] ??= openStore(c.dbPath, { leaseTtlSeconds: c.leaseTtlSeconds });
  return g[KEY];
}
