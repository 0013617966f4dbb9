import type Database from "better-sqlite3";
import { FleetDoctorError } from "../errors.ts";
import { MIGRATIONS, type Migration } from "./migrations/index.ts";

/** Applies the steps not yet recorded in `schema_migrations`, each in its own transaction; returns the ids applied. */
export function migrate(db: Database.Database, migrations: Pick<Migration, "id" | "up">[] = MIGRATIONS): string[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, applied_at TEXT NOT NULL)`);
  const seen = new Set<string>();
  for (const m of migrations) {
    if (seen.has(m.id)) throw new FleetDoctorError("INTERNAL", `Duplicate migration id ${m.id}`);
    seen.add(m.id);
  }
  const done = new Set((db.prepare("SELECT id FROM schema_migrations").all() as { id: string }[]).map((r) => r.id));
  const applied: string[] = [];
  const record = db.prepare("INSERT INTO schema_migrations (id, applied_at) VALUES (?, ?)");
  for (const m of migrations) {
    if (done.has(m.id)) continue;
    db.transaction(() => {
      m.up(db);
      record.run(m.id, new Date().toISOString());
    })();
    applied.push(m.id);
  }
  return applied;
}
