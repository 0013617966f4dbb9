import { describe, expect, it } from "vitest";
import { storeEngines } from "../../test/helpers/store-engines.ts";

// The sweeps' store verbs (migrations/sweeps-001.ts), as a contract both engines keep (see store.test.ts).
const [sqlite, postgres] = storeEngines();

const A = "111111111111/us-east-1";
const B = "222222222222/eu-west-1";
const C = "333333333333/us-east-1";

describe.each([sqlite, postgres])("sweeps store on $name", (e) => {
  it("keeps a sweep's fleets in the order asked, each pending, scanned, joined or in error, and ends it once", async () => {
    const store = await e.open(await e.fresh());
    const sweep = await store.sweeps.create({ fleets: [B, A, C, A], targets: { kind: "all" }, actor: "ops" });
    expect(sweep).toMatchObject({ status: "running", actor: "ops", targets: { kind: "all" } });
    expect(sweep.fleets).toEqual([{ fleet: B }, { fleet: A }, { fleet: C }]);

    const a = await store.createScan({ targets: { kind: "all" }, fleet: A });
    const b = await store.createScan({ targets: { kind: "all" }, fleet: B });
    await store.sweeps.recordFleet(sweep.id, { fleet: A, scanId: a.id });
    await store.sweeps.recordFleet(sweep.id, { fleet: B, scanId: b.id, joined: true });
    await store.sweeps.recordFleet(sweep.id, {
      fleet: C,
      error: { code: "AccessDenied", message: `Role could not be assumed ${"x".repeat(1000)}` },
    });
    const got = await store.sweeps.get(sweep.id);
    expect(got?.fleets.map((f) => f.fleet)).toEqual([B, A, C]);
    expect(got?.fleets[0]).toEqual({ fleet: B, scanId: b.id, joined: true });
    expect(got?.fleets[1]).toEqual({ fleet: A, scanId: a.id });
    expect(got?.fleets[2]?.error?.code).toBe("AccessDenied");
    expect(got?.fleets[2]?.error?.message.length).toBe(500);

    expect(await store.sweeps.finish(sweep.id, "partial")).toBe(true);
    expect(await store.sweeps.finish(sweep.id, "completed")).toBe(false);
    const ended = await store.sweeps.get(sweep.id);
    expect(ended?.status).toBe("partial");
    expect(ended?.finishedAt).toBeDefined();
    expect(await store.sweeps.get("00000000-0000-4000-8000-000000000000")).toBeUndefined();
  });

  it("lists sweeps newest first and pages back with `before`, each with its fleets", async () => {
    const store = await e.open(await e.fresh());
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await store.sweeps.create({ fleets: [A, B], targets: { kind: "all" } })).id);
    const first = await store.sweeps.list({ limit: 2 });
    expect(first.map((s) => s.id)).toEqual([ids[4], ids[3]]);
    expect(first[0]?.fleets.map((f) => f.fleet)).toEqual([A, B]);
    const next = await store.sweeps.list({ limit: 10, before: ids[3] });
    expect(next.map((s) => s.id)).toEqual([ids[2], ids[1], ids[0]]);
  });
});
