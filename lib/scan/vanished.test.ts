/**
 * An instance that vanishes between inventory and SendCommand (stopped, terminated): SSM refuses the whole batch
 * with InvalidInstanceId. The scan must find which one, report it, and send to the others. The simulator's real
 * fleet is wrapped so one host stops the moment SendCommand first asks about it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Fleet, HostInfo } from "../../sim/fleet-types.ts";
import { createSimulator, realFleet } from "../../sim/main.ts";
import { simScanContext } from "../../test/helpers/scan-context.ts";
import { simEnv } from "../../test/helpers/sim.ts";
import { openStore, type Store } from "../store/store.ts";
import { runScan } from "./run-scan.ts";
import type { ScanEvent } from "./types.ts";

const VANISHING = "i-0a000000000000001";

function vanishing(f: Fleet): Fleet {
  let gone = false;
  const view = (h: HostInfo | undefined) => (h && gone && h.instanceId === VANISHING ? { ...h, stopped: true } : h);
  return {
    hosts: () => f.hosts().map((h) => view(h)!),
    host(id) {
      // DescribeInstanceInformation lists with hosts(); SendCommand checks each id with host(id).
      if (id === VANISHING) gone = true;
      return view(f.host(id));
    },
    groups: () => f.groups(),
    membership: (id) => f.membership(id),
    attach: (g, ids) => f.attach(g, ids),
    detach: (g, ids, d) => f.detach(g, ids, d),
    timing: (id) => f.timing(id),
    describe: (id) => f.describe(id),
    handle: (req, res) => f.handle(req, res),
    close: () => f.close(),
    run: (id, commands, options) => f.run(id, commands, options),
  };
}

let sim: { url: string; close(): Promise<void> };
let store: Store;

beforeAll(async () => {
  sim = await createSimulator(
    // No memo of the host list: the vanishing host must disappear from DescribeInstanceInformation at once.
    { port: 0, scenario: "small", exec: "model", snapshotTtlMs: 0 },
    { ...realFleet, create: async (s, o) => vanishing(await realFleet.create(s, o)) },
  );
  store = openStore(":memory:");
}, 60_000);

afterAll(async () => {
  store?.close();
  await sim?.close();
});

describe("an instance that vanished", () => {
  it("is reported, and the rest of its batch is sent again", async () => {
    const events: ScanEvent[] = [];
    Object.assign(process.env, simEnv(sim.url));
    const ctx = simScanContext(store);
    for await (const e of runScan({ kind: "all" }, ctx)) events.push(e);
    expect(events.at(-1)).toMatchObject({ type: "scan-finished", status: "completed" });
    expect(events.some((e) => e.type === "warning" && e.kind === "vanished" && e.instanceId === VANISHING)).toBe(true);
    const results = new Map(
      events.flatMap((e) => (e.type === "instance" ? [[e.result.instanceId, e.result] as const] : [])),
    );
    expect(results.size).toBe(9);
    expect(results.get(VANISHING)?.outcome).toMatchObject({ status: "NotSent", statusDetails: "InvalidInstanceId" });
    expect(results.get("i-0a000000000000003")?.verdict).toBe("lifecycle-404:ready");
    const sent = events.filter((e) => e.type === "batch-sent") as { instanceIds: string[] }[];
    expect(sent).toHaveLength(1);
    expect(sent[0]!.instanceIds).not.toContain(VANISHING);
    expect(sent[0]!.instanceIds).toHaveLength(7);
  });
});
