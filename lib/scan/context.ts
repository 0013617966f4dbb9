import { createClients } from "../aws/clients.ts";
import { config } from "../config.ts";
import { getStore } from "../store/index.ts";
import type { ScanContext } from "./run-scan.ts";

/** What a scan needs in this process: fresh clients (so its throttling counts are its own), the store, config. */
export function defaultScanContext(actor?: string): Omit<ScanContext, "scanId" | "signal"> {
  const c = config();
  return { clients: createClients(c), store: getStore(), config: c, ...(actor ? { actor } : {}) };
}
