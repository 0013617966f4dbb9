import { config } from "../config.ts";
import { openStore, type Store } from "./store.ts";

export { openStore, requireScan, type Store } from "./store.ts";
export type * from "./types.ts";

// On globalThis so that every bundle of the Next.js server (each route is its own entry) shares one connection.
const KEY = Symbol.for("fleet-doctor.store");
type Holder = { [KEY]?: Store };

/** The process's store at FLEET_DOCTOR_DB (folder created, migrated, interrupted scans marked on first use). */
export function getStore(): Store {
  const g = globalThis as Holder;
  g[KEY] ??= openStore(config().dbPath);
  return g[KEY];
}
