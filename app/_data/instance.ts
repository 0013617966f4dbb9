import "server-only";
import type { ActionEntry, InstanceView } from "@/components/instance/types.ts";
import { currentActor } from "@/lib/auth/index.ts";
import { isInstanceId } from "@/lib/aws/ids.ts";
import { config } from "@/lib/config.ts";
import { type FleetChoice, whichFleet } from "@/lib/instances/which-fleet.ts";
import { type ProbeReport, probeReportSchema } from "@/lib/probe/report-schema.ts";
import { getStore } from "@/lib/store/index.ts";
import { currentViewer } from "./viewer.ts";

export type { InstanceView };

/** Most raw output the page carries (the store keeps it whole; a page needs the start to check the reasoning). */
const RAW_CAP = 20_000;

/**
 * The probe report in the raw output: the last line that is a valid schema-1 report. The scan stored the diagnosis
 * already; this re-reads the report only to show IMDS, config and service facts beside it.
 */
export function reportOf(raw: string): ProbeReport | undefined {
  const lines = raw.split("\n");
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!.trim();
    if (!line.startsWith("{")) continue;
    try {
      const parsed = probeReportSchema.safeParse(JSON.parse(line));
      if (parsed.success) return parsed.data;
    } catch {
      // not JSON: keep looking
    }
  }
  return undefined;
}

/**
 * Which fleet's instance of this id the page shows (lib/instances/which-fleet.ts), the viewer read first: one, none
 * (404), or several to choose from when no fleet is named.
 */
export async function instanceFleetChoice(instanceId: string, fleet?: string): Promise<FleetChoice> {
  await currentViewer();
  return whichFleet(getStore(), instanceId, fleet);
}

/**
 * One instance for its page (the viewer read from the render's headers) or a route (from the request it passes): the
 * instance of `fleet`, or without it the one in the fleet of its newest result (callers ask whichFleet first when
 * the id may be in several).
 */
export async function loadInstance(
  instanceId: string,
  request?: Request,
  fleetId?: string,
): Promise<InstanceView | undefined> {
  await (request ? currentActor(request) : currentViewer());
  if (!isInstanceId(instanceId)) return undefined;
  const store = getStore();
  const latest = await store.latestResult(instanceId, fleetId);
  if (!latest) return undefined;
  const verifying = new Map<string, string>();
  const history = async () =>
    (await store.instanceHistory(instanceId, 50, fleetId)).map((r) => ({
      ...(verifying.has(r.scanId) ? { verifiedAction: verifying.get(r.scanId) } : {}),
      scanId: r.scanId,
      verdict: r.verdict,
      summary: r.diagnosis.summary,
      probedAt: r.probedAt,
      agentVersion: r.agentVersion,
      lifecycleState: r.target.lifecycleState,
      group: r.target.group,
    }));
  const raw = latest.rawOutput || latest.outcome.output || "";
  const { output: _output, ...outcome } = latest.outcome;
  // The result's own fleet (absent for one from before fleets were recorded).
  const fleet = latest.fleet;
  const [gone, rows] = await Promise.all([
    store.goneOf(instanceId, fleetId ?? fleet),
    store.actions.list({ instanceId, limit: 50 }),
  ]);
  // This instance's actions: its fleet's (the same id in another fleet is another instance), and those from before
  // fleets were recorded.
  const mine = rows.filter((a) => !a.fleet || !fleet || a.fleet === fleet);
  const actions = await Promise.all(
    mine.map(async (a): Promise<ActionEntry> => {
      const mine = (await store.actions.detail(a.id))?.outcomes.find((o) => o.instanceId === instanceId);
      if (mine?.scanId) verifying.set(mine.scanId, a.id);
      const outcome = mine?.outcome;
      return {
        id: a.id,
        kind: a.kind,
        status: a.status,
        createdAt: a.createdAt,
        actor: a.actor,
        ...(outcome ? { outcome } : {}),
      };
    }),
  );
  return {
    // The fleet is `<account>/<region>`; before fleets were recorded, the configured region.
    region: fleet?.split("/")[1] ?? config().region,
    ...(fleet ? { fleet } : {}),
    ...(gone ? { gone: { since: gone.since, fleet: gone.fleet } } : {}),
    actions,
    instanceId: latest.instanceId,
    scanId: latest.scanId,
    probedAt: latest.probedAt,
    verdict: latest.verdict,
    agentVersion: latest.agentVersion,
    target: latest.target,
    outcome,
    diagnosis: latest.diagnosis,
    rawOutput: raw.length > RAW_CAP ? `${raw.slice(0, RAW_CAP)}\n… [${raw.length - RAW_CAP} more characters]` : raw,
    report: reportOf(raw),
    ...(latest.ecs ? { ecs: latest.ecs } : {}),
    history: await history(),
  };
}
