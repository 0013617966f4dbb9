import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { storeEngines } from "../../test/helpers/store-engines.ts";
import type { ActionTarget } from "../actions/types.ts";
import type { Store } from "./interfaces.ts";
import { migrate } from "./migrate.ts";
import { MIGRATIONS } from "./migrations/index.ts";

/**
 * Actions per fleet (migration actions-fleet-001) on both engines: an instance id is only unique inside a fleet, so
 * the claim that keeps one restart per instance is keyed by (fleet, instance id), and the audit lists each action
 * under its fleet.
 */
const engines = storeEngines();

const PROD = "111111111111/us-east-1";
const STAGING = "222222222222/us-east-1";
const ID = "i-0a1b2c3d4e5f60718";

/** Asks for a restart of `ids` in `fleet` (every free instance accepted), as requestAction records it. */
async function ask(store: Store, fleet: string | undefined, ids: string[]) {
  const id = crypto.randomUUID();
  const answer = await store.actions.createAction(
    {
      id,
      kind: "restart",
      ...(fleet ? { fleet } : {}),
      actor: "alice",
      actorRole: "operator",
      forced: false,
      createdAt: new Date().toISOString(),
      requested: ids,
      maxConcurrency: 1,
      maxErrors: 1,
      waitSeconds: 60,
    },
    (free, joined) =>
      ids.map(
        (instanceId): ActionTarget =>
          joined.has(instanceId)
            ? {
                instanceId,
                decision: "joined",
                joinedAction: joined.get(instanceId)!,
                preflight: { instanceId, ok: true },
              }
            : {
                instanceId,
                decision: free.has(instanceId) ? "accepted" : "refused",
                preflight: { instanceId, ok: true },
              },
      ),
    (targets) => ({
      type: "action-started",
      actionId: id,
      kind: "restart",
      actor: "alice",
      forced: false,
      targets: targets.map((t) => ({ instanceId: t.instanceId, decision: t.decision })),
      maxConcurrency: 1,
      maxErrors: 1,
      at: new Date().toISOString(),
    }),
  );
  return { id, ...answer };
}

describe.each(engines)("actions per fleet on $name", (e) => {
  it("claims the same instance id in two fleets independently, and joins within one fleet", async () => {
    const where = await e.fresh();
    const store = await e.open(where);
    const prod = await ask(store, PROD, [ID]);
    const staging = await ask(store, STAGING, [ID]);
    expect(prod.created).toBe(true);
    expect(staging.created).toBe(true);
    expect(prod.targets[0]!.decision).toBe("accepted");
    expect(staging.targets[0]!.decision).toBe("accepted");
    expect(await store.actions.inflightAction(ID, PROD)).toBe(prod.id);
    expect(await store.actions.inflightAction(ID, STAGING)).toBe(staging.id);
    // A second request in prod joins prod's action, never staging's.
    const again = await ask(store, PROD, [ID]);
    expect(again.created).toBe(false);
    expect(again.targets[0]).toMatchObject({ decision: "joined", joinedAction: prod.id });
    // Ending prod's frees prod's claim only.
    await store.actions.finishAction(prod.id, "completed");
    expect(await store.actions.inflightAction(ID, PROD)).toBeUndefined();
    expect(await store.actions.inflightAction(ID, STAGING)).toBe(staging.id);
    const rows = await e.sql(where, "SELECT fleet, instance_id FROM action_inflight");
    expect(rows).toEqual([{ fleet: STAGING, instance_id: ID }]);
  });

  it("records each action's fleet and lists the audit by fleet (and instance)", async () => {
    const store = await e.open(await e.fresh());
    const prod = await ask(store, PROD, [ID]);
    const staging = await ask(store, STAGING, [ID, "i-0000000000000000b"]);
    expect((await store.actions.get(prod.id))?.fleet).toBe(PROD);
    expect((await store.actions.detail(staging.id))?.fleet).toBe(STAGING);
    expect((await store.actions.list({ fleet: PROD })).map((a) => a.id)).toEqual([prod.id]);
    expect((await store.actions.list({ fleet: STAGING, instanceId: ID })).map((a) => a.id)).toEqual([staging.id]);
    expect((await store.actions.list({ fleet: PROD, instanceId: "i-0000000000000000b" })).length).toBe(0);
    expect((await store.actions.list({ instanceId: ID })).map((a) => a.id).sort()).toEqual(
      [prod.id, staging.id].sort(),
    );
  });

  it("lets an action without a fleet (before fleets) hold the id in every fleet", async () => {
    const store = await e.open(await e.fresh());
    const legacy = await ask(store, undefined, [ID]);
    expect((await store.actions.get(legacy.id))?.fleet).toBeUndefined();
    const prod = await ask(store, PROD, [ID]);
    expect(prod.created).toBe(false);
    expect(prod.targets[0]).toMatchObject({ decision: "joined", joinedAction: legacy.id });
    await store.actions.finishAction(legacy.id, "completed");
    expect((await ask(store, PROD, [ID])).created).toBe(true);
  });
});

describe("migration actions-fleet-001 over a store that has actions", () => {
  const before = MIGRATIONS.slice(0, MIGRATIONS.indexOf(MIGRATIONS.find((m) => m.id === "actions-fleet-001")!));
  const seed = [
    `INSERT INTO actions (id, kind, actor, actor_role, forced, created_at, requested, max_concurrency, max_errors, wait_seconds)
     VALUES ('a-old', 'restart', 'alice', 'operator', 0, '2026-12-06T08:00:00.000Z', '["${ID}"]', 1, 1, 60)`,
    `INSERT INTO action_inflight (instance_id, action_id) VALUES ('${ID}', 'a-old')`,
  ];

  it("keeps an unfinished action's claim (fleet '') and leaves the old action without a fleet (SQLite)", async () => {
    const file = await engines[0].fresh();
    const db = new Database(file);
    migrate(db, before);
    for (const q of seed) db.exec(q);
    migrate(db);
    expect(db.prepare("SELECT fleet, instance_id, action_id FROM action_inflight").all()).toEqual([
      { fleet: "", instance_id: ID, action_id: "a-old" },
    ]);
    expect(db.prepare("SELECT fleet FROM actions").all()).toEqual([{ fleet: null }]);
    db.close();
  });

  it("applies its PostgreSQL script over the same rows", async () => {
    const url = await engines[1].fresh();
    for (const m of before) await engines[1].sql(url, m.pg);
    for (const q of seed) await engines[1].sql(url, q);
    await engines[1].sql(url, MIGRATIONS.find((m) => m.id === "actions-fleet-001")!.pg);
    expect(await engines[1].sql(url, "SELECT fleet, instance_id, action_id FROM action_inflight")).toEqual([
      { fleet: "", instance_id: ID, action_id: "a-old" },
    ]);
    await engines[1].sql(
      url,
      `INSERT INTO action_inflight (fleet, instance_id, action_id) VALUES ('${PROD}', '${ID}', 'a-old')`,
    );
    expect((await engines[1].sql(url, "SELECT count(*)::int AS n FROM action_inflight"))[0]).toEqual({ n: 2 });
  });
});
