import type Database from "better-sqlite3";

/**
 * One schema step. Migrations run in the order of the list in ./index.ts, each in its own transaction, and are
 * recorded in `schema_migrations` by `id`; a step that ran is never run again, so steps are append-only: to change
 * a table, add a new step, never edit one that shipped.
 * Each step carries both engines' forms side by side: `up` for SQLite, `pg` (one SQL script) for PostgreSQL. The
 * two must leave the same tables, columns and encodings: lib/store/rows.ts reads rows of either engine.
 */
export type Migration = { id: string; up(db: Database.Database): void; pg: string };
