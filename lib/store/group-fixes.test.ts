/** The group fixes' audit on both engines: rows in, newest first, filtered; UPDATE, DELETE and TRUNCATE refused. */
import { describe, expect, it } from "vitest";
import { storeEngines } from "../../test/helpers/store-engines.ts";
import type { GroupFixAuditRow } from "./interfaces.ts";

const [sqlite, postgres] = storeEngines();
const FLEET = "123456789012/us-east-1";

const row = (over: Partial<GroupFixAuditRow>): GroupFixAuditRow => ({
  attemptId: "a1",
  phase: "requested",
  fleet: FLEET,
  group: "web",
  step: "template",
  actor: "ops@example.com",
  actorRole: "operator",
  at: "2026-12-06T12:00:00.000Z",
  templateId: "lt-0abc",
  version: 3,
  detail: '{"UserData":"..."}',
  ...over,
});

describe.each([sqlite, postgres])("group fix audit ($name)", (e) => {
  it("keeps every row, newest first, and refuses changes", async () => {
    const where = await e.fresh();
    const s = await e.open(where);
    await s.groupFixes.record(row({}));
    await s.groupFixes.record(row({ phase: "succeeded", version: 4, detail: "version 4" }));
    await s.groupFixes.record(row({ attemptId: "a2", group: "batch", step: "point" }));
    const { templateId: _t, ...noTemplate } = row({ attemptId: "a3", step: "refresh" });
    await s.groupFixes.record({ ...noTemplate, version: undefined } as GroupFixAuditRow);
    const web = await s.groupFixes.list({ fleet: FLEET, group: "web" });
    expect(web.map((r) => [r.attemptId, r.phase, r.version])).toEqual([
      ["a3", "requested", undefined],
      ["a1", "succeeded", 4],
      ["a1", "requested", 3],
    ]);
    expect(web[0]!.templateId).toBeUndefined();
    expect(await s.groupFixes.list({ limit: 1 })).toHaveLength(1);
    await expect(s.groupFixes.record(row({}))).rejects.toThrow();
    for (const sql of ["UPDATE group_fix_audit SET actor = 'x'", "DELETE FROM group_fix_audit"]) {
      await expect(e.sql(where, sql)).rejects.toThrow(/append-only/);
    }
    if (e.name === "PostgreSQL") await expect(e.sql(where, "TRUNCATE group_fix_audit")).rejects.toThrow(/append-only/);
    expect(await s.groupFixes.list()).toHaveLength(4);
  });
});
