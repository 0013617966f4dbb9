import { describe, expect, it } from "vitest";
import { storeEngines } from "../../test/helpers/store-engines.ts";
import { getSweep } from "./get-sweep.ts";
import { sweepLease } from "./settle-sweep.ts";

// A sweep whose driving process died, read by another process, on both engines: the fleets it never reached become
// errors of their own, and it is finished once every fleet's scan has ended; a live driver's sweep is left alone.
const [sqlite, postgres] = storeEngines({ leaseTtlSeconds: 1 });

const A = "111111111111/us-east-1";
const B = "222222222222/us-east-1";
const C = "333333333333/us-east-1";

describe.each([sqlite, postgres])("an abandoned sweep on $name", (e) => {
  it("names the unreached fleets INTERRUPTED and ends partial once its scans have ended", async () => {
    const where = await e.fresh();
    const driver = await e.open(where);
    const reader = await e.open(where);
    const id = crypto.randomUUID();
    await driver.claimLeadership(sweepLease(id));
    await driver.sweeps.create({ id, fleets: [A, B, C], targets: { kind: "all" } });
    const a = await driver.createScan({ targets: { kind: "all" }, fleet: A });
    await driver.markScanTakeover(a.id);
    await driver.sweeps.recordFleet(id, { fleet: A, scanId: a.id });
    const b = await driver.createScan({ targets: { kind: "all" }, fleet: B });
    await driver.sweeps.recordFleet(id, { fleet: B, scanId: b.id });
    await driver.finishScan(b.id, "completed");

    // The driver lives: nothing is settled.
    expect((await getSweep(reader, id))?.fleets.find((f) => f.fleet === C)).toEqual({ fleet: C });

    await driver.close(); // the process dies; its leases run out
    await new Promise((r) => setTimeout(r, 1500));
    // Another server takes A's scan over: the sweep waits for it, C is an error of its own.
    expect(await reader.takeOverScan(a.id)).toBe(true);
    const waiting = await getSweep(reader, id);
    expect(waiting?.status).toBe("running");
    expect(waiting?.fleets.find((f) => f.fleet === C)?.error?.code).toBe("INTERRUPTED");
    await reader.finishScan(a.id, "completed");
    const ended = await getSweep(reader, id);
    expect(ended?.status).toBe("partial");
    expect(ended?.finishedAt).toBeDefined();
  }, 30_000);
});
