import { scans001 } from "./001-scans.ts";
import { actions001 } from "./actions-001.ts";
import { actionsFleet001 } from "./actions-fleet-001.ts";
import { alerts001 } from "./alerts-001.ts";
import { autopilot001 } from "./autopilot-001.ts";
import { ecs001 } from "./ecs-001.ts";
import { fleetKeys001 } from "./fleet-keys-001.ts";
import { fleets001 } from "./fleets-001.ts";
import { groups001 } from "./groups-001.ts";
import { leases001 } from "./leases-001.ts";
import { pgPerf001 } from "./pg-perf-001.ts";
import { replicas001 } from "./replicas-001.ts";
import { scanTakeover001 } from "./scan-takeover-001.ts";
import { sweeps001 } from "./sweeps-001.ts";
import type { Migration } from "./types.ts";
import { watch001 } from "./watch-001.ts";

export type { Migration } from "./types.ts";

/**
 * Every schema step, in order. Append new steps at the end (one file each, `NNN-name.ts`); never reorder or edit a
 * step that has shipped. Streams own their own entries (001: scans; actions append theirs).
 */
export const MIGRATIONS: Migration[] = [
  scans001,
  actions001,
  leases001,
  fleets001,
  ecs001,
  replicas001,
  alerts001,
  autopilot001,
  watch001,
  pgPerf001,
  scanTakeover001,
  fleetKeys001,
  sweeps001,
  groups001,
  actionsFleet001,
];
