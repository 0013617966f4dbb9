/**
 * An instance that vanishes between inventory and SendCommand (stopped, terminated): SSM refuses the whole batch
 * with InvalidInstanceId. The scan must find which one, report it, and send to the others. The simulator's real
 * fleet is wrapped so one host stops the moment SendCommand first asks about it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HostInfo } from "../../sim/fleet-types.ts";
import { scanToEnd, simScanContext } from "../../test/helpers/scan-context.ts";
import { simEnv, startSimOverriding } from "../../test/helpers/sim.ts";
import { openStore, type Store } from "../store/store.ts";

const VANISHING = "i-0a000000000000001";

let sim: { url: string; close(): Promise<void> };
let store: Store;

beforeAll(async () => {
  sim = await startSimOverriding(
    // No memo of the host list: the vanishing host must disappear from DescribeInstanceInformation at once.
    { port: 0, scenario: "small", exec: "model", snapshotTtlMs: 0 },
    (f) => {
      let gone = false;
      const view = (h: HostInfo | undefined) => (h && gone && h.instanceId === VANISHING ? { ...h, stopped: true } : h);
      return {
        hosts: () => f.hosts().map((h) => view(h)!),
        host(id) {
          // DescribeInstanceInformation lists with hosts(); SendCommand checks each id with host(id).
          if (id === VANISHING) gone = true;
          return view(f.host(id));
        },
      };
    },
  );
  store = openStore(":memory:");
}, 60_000);

afterAll(async () => {
  store?.close();
  await sim?.close();
});

describe("an instance that vanished", () => {
  it("is reported, and the rest of its batch is sent again", async () => {
    Object.assign(process.env, simEnv(sim.url));
    const { events, results } = await scanToEnd({ kind: "all" }, simScanContext(store));
    expect(events.at(-1)).toMatchObject({ type: "scan-finished", status: "completed" });
    expect(events.some((e) => e.type === "warning" && e.kind === "vanished" && e.instanceId === VANISHING)).toBe(true);
    expect(results.size).toBe(9);
    expect(results.get(VANISHING)?.outcome).toMatchObject({ status: "NotSent", statusDetails: "InvalidInstanceId" });
    expect(results.get("i-0a000000000000003")?.verdict).toBe("lifecycle-404:ready");
    const sent = events.filter((e) => e.type === "batch-sent") as { instanceIds: string[] }[];
    expect(sent).toHaveLength(1);
    expect(sent[0]!.instanceIds).not.toContain(VANISHING);
    expect(sent[0]!.instanceIds).toHaveLength(7);
  });
});
