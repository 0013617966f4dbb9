/*
 * What a PostgreSQL URL is, apart from the driver: lib/config.ts validates FLEET_DOCTOR_DATABASE_URL with it at
 * start, without loading `pg`.
 */

/** Both `postgres://` and `postgresql://` name a PostgreSQL server (libpq accepts either). */
export function isPostgresUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return (u.protocol === "postgres:" || u.protocol === "postgresql:") && u.hostname !== "";
  } catch {
    return false;
  }
}

/** The URL without its password, fit for a log line or `Store.path`. */
export function redactedUrl(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = "***";
  return u.toString();
}
