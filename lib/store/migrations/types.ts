import type Database from "better-sqlite3";

/**
 * One schema step. Migrations run in the order of the list in ./index.ts, each in its own transaction, and are
 * recorded in `schema_migrations` by `id`; a step that ran is never run again, so steps are append-only: to change
 * a table, add a new step, never edit one that shipped.
 */
export type Migration = { id: string; up(db: Database.Database): void };
