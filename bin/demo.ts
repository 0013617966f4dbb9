/**
 * `npm run demo`: builds the dashboard when the build is missing or older than the sources, starts it against
 * the embedded simulator when there is one, prints the URL, and stops everything on Ctrl-C.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { ROOT, type Server, startNext } from "./servers.ts";

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

function buildIsStale(): boolean {
  const buildId = path.join(ROOT, ".next", "BUILD_ID");
  if (!existsSync(buildId)) return true;
  const built = statSync(buildId).mtimeMs;
  return ["app", "components", "lib"].some(
    (d) => existsSync(path.join(ROOT, d)) && newestMtime(path.join(ROOT, d)) > built,
  );
}

async function main() {
  if (buildIsStale()) {
    console.log("Building the dashboard (once; about a minute)...");
    execFileSync(path.join(ROOT, "node_modules", ".bin", "next"), ["build"], { cwd: ROOT, stdio: "inherit" });
  }
  const servers: Server[] = [];
  const stopAll = async () => {
    await Promise.all(servers.map((s) => s.stop()));
    process.exit(0);
  };
  process.on("SIGINT", stopAll);
  process.on("SIGTERM", stopAll);

  const port = process.env.PORT ? Number(process.env.PORT) : 3000;
  const app = await startNext({}, port);
  servers.push(app);
  console.log("\nThe fleet simulator is not part of this build yet: the dashboard runs alone.");
  console.log(`\nFleet Doctor is running at ${app.url}\nPress Ctrl-C to stop.`);
}

main().catch((e) => {
  console.error(`demo: ${(e as Error).message}`);
  process.exit(1);
});
