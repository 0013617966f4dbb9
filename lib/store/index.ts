import { type Config, config } from "../config.ts";
import type { Store } from "./interfaces.ts";
import { openPgStore } from "./pg-store.ts";
import { openStore } from "./store.ts";

export type * from "./interfaces.ts";
export { openPgStore } from "./pg-store.ts";
export { openStore, requireScan } from "./store.ts";
export type * from "./types.ts";

// On globalThis so that every bundle of the Next.js server (each route is its own entry) shares one connection
// (and so one lease owner and one heartbeat per process).
const KEY = Symbol.for("fleet-doctor.store");
type Holder = { [KEY]?: Store };

/**
 * The process's store: on the PostgreSQL server at FLEET_DOCTOR_DATABASE_URL when it is set (migrated under a lock
 * before the first verb answers), else the SQLite file at FLEET_DOCTOR_DB (folder created, migrated at once);
 * abandoned scans are marked on first use either way.
 */
export function getStore(): Store {
  const g = globalThis as Holder;
  g[KEY] ??= openConfiguredStore(config());
  return g[KEY];
}

/** A store where the configuration says (PostgreSQL when FLEET_DOCTOR_DATABASE_URL is set, else SQLite): the CLI's. */
export function openConfiguredStore(c: Config): Store {
  const opts = { leaseTtlSeconds: c.leaseTtlSeconds };
  return c.databaseUrl ? openPgStore(c.databaseUrl, opts) : openStore(c.dbPath, opts);
}
