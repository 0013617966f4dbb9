import { VERDICTS, type Verdict } from "@/lib/diagnosis/types.ts";
import { splitFleetId } from "@/lib/fleets/fleet-ids.ts";
import type { InstanceSummary } from "@/lib/store/types.ts";

/** One row of the instances table: the latest verdict of one instance and what it is filtered and sorted by. */
export type InstanceRow = {
  instanceId: string;
  /** Unique per row: the fleet and the instance id (the same id in two accounts is two rows). */
  rowKey: string;
  /** The Account and Region columns: the fleet's (NONE for a result from before fleets were recorded). */
  account: string;
  region: string;
  verdict: Verdict;
  cause: string;
  group: string;
  lifecycleState: string;
  agentVersion: string;
  pingStatus: string;
  probedAt: string;
  scanId: string;
  restartWillWork: boolean;
  /** Registered with ECS, as the Registered column shows it. */
  registered: RegisteredText;
  /** When a full scan of its fleet no longer saw it (listed only when gone instances are asked for). */
  goneSince?: string;
  /** Its fleet (`<account>/<region>`): an instance id is only unique inside one. Absent for legacy results. */
  fleet?: string;
};

/** ECS registration as shown: ECS had it, did not, or was not asked (the scan had no ECS view). */
export const REGISTERED_TEXT = ["yes", "no", "not asked"] as const;
export type RegisteredText = (typeof REGISTERED_TEXT)[number];

export function registeredText(registered: boolean | undefined): RegisteredText {
  return registered === undefined ? "not asked" : registered ? "yes" : "no";
}

/** What the store gives per instance (its summary sentence is not needed for the table). */
export type SummaryLike = Omit<InstanceSummary, "summary">;

/** The value shown and filtered on when an instance is in no group, has no version, etc. */
export const NONE = "(none)";

/**
 * All rows, column by column, with repeated strings replaced by indexes into `dict`: 10,000 instances travel to the
 * browser as ~0.5 MB instead of ~2.5 MB of objects, once, and the browser filters them itself.
 */
export type CompactRows = {
  dict: string[];
  ids: string[];
  verdict: number[];
  cause: number[];
  group: number[];
  lifecycle: number[];
  version: number[];
  ping: number[];
  /** Seconds since the epoch (a number is a third the size of an ISO string in the page). */
  probedAt: number[];
  scan: number[];
  restart: number[];
  /** Index into REGISTERED_TEXT. */
  registered: number[];
  /** Gone since, in seconds since the epoch (0: not gone); absent when no row is gone. */
  gone?: number[];
  /** Index into `dict` of the row's fleet (-1: none); absent when no row has one. */
  fleet?: number[];
};

export function compactRows(items: readonly SummaryLike[]): CompactRows {
  const dict: string[] = [];
  const index = new Map<string, number>();
  const intern = (s: string | undefined) => {
    const v = s && s.length > 0 ? s.slice(0, 200) : NONE;
    let i = index.get(v);
    if (i === undefined) {
      i = dict.length;
      dict.push(v);
      index.set(v, i);
    }
    return i;
  };
  const out: CompactRows = {
    dict,
    ids: [],
    verdict: [],
    cause: [],
    group: [],
    lifecycle: [],
    version: [],
    ping: [],
    probedAt: [],
    scan: [],
    restart: [],
    registered: [],
  };
  for (const it of items) {
    out.ids.push(it.instanceId.slice(0, 64));
    out.verdict.push(Math.max(0, VERDICTS.indexOf(it.verdict)));
    out.cause.push(intern(it.cause));
    out.group.push(intern(it.group));
    out.lifecycle.push(intern(it.lifecycleState));
    out.version.push(intern(it.agentVersion));
    out.ping.push(intern(it.pingStatus));
    const t = Date.parse(it.probedAt);
    out.probedAt.push(Number.isFinite(t) ? Math.round(t / 1000) : 0);
    out.scan.push(intern(it.scanId));
    out.restart.push(it.restartWillWork ? 1 : 0);
    out.registered.push(REGISTERED_TEXT.indexOf(registeredText(it.registered)));
    if (it.goneSince) {
      out.gone ??= new Array(out.ids.length - 1).fill(0);
      const g = Date.parse(it.goneSince);
      out.gone.push(Number.isFinite(g) ? Math.round(g / 1000) : 1);
    } else out.gone?.push(0);
    if (it.fleet) {
      out.fleet ??= new Array(out.ids.length - 1).fill(-1);
      out.fleet.push(intern(it.fleet));
    } else out.fleet?.push(-1);
  }
  return out;
}

export function expandRows(c: CompactRows): InstanceRow[] {
  const d = c.dict;
  const rows: InstanceRow[] = new Array(c.ids.length);
  for (let i = 0; i < c.ids.length; i++) {
    const f = c.fleet?.[i];
    const fleet = f !== undefined && f >= 0 ? d[f] : undefined;
    const where = fleet ? splitFleetId(fleet) : { account: NONE, region: NONE };
    rows[i] = {
      instanceId: c.ids[i]!,
      rowKey: fleet ? `${fleet} ${c.ids[i]}` : c.ids[i]!,
      account: where.account || NONE,
      region: where.region || NONE,
      verdict: VERDICTS[c.verdict[i]!] ?? "unknown",
      cause: d[c.cause[i]!] ?? NONE,
      group: d[c.group[i]!] ?? NONE,
      lifecycleState: d[c.lifecycle[i]!] ?? NONE,
      agentVersion: d[c.version[i]!] ?? NONE,
      pingStatus: d[c.ping[i]!] ?? NONE,
      probedAt: c.probedAt[i] ? new Date(c.probedAt[i]! * 1000).toISOString() : "",
      scanId: d[c.scan[i]!] ?? "",
      restartWillWork: c.restart[i] === 1,
      registered: REGISTERED_TEXT[c.registered?.[i] ?? 2] ?? "not asked",
    };
    const gone = c.gone?.[i];
    if (gone) rows[i]!.goneSince = new Date(gone * 1000).toISOString();
    if (fleet) rows[i]!.fleet = fleet;
  }
  return rows;
}
