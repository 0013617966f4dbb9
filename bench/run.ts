/**
 * `npm run bench`: runs the benchmarks and prints their figures. Each benchmark is a module under bench/ that
 * exports `run(argv)`; they are listed here as they land.
 */
const BENCHMARKS: Record<string, () => Promise<{ run(argv: string[]): Promise<void> }>> = {
  ui: () => import("./ui.ts"),
  scan: () => import("./scan.ts"),
  triage: () => import("./triage.ts"),
  timeline: () => import("./timeline.ts"),
  watch: () => import("./watch.ts"),
};

async function main(argv: string[]) {
  const name = argv[0] && !argv[0].startsWith("-") ? argv[0] : undefined;
  const rest = name ? argv.slice(1) : argv;
  const names = name ? [name] : Object.keys(BENCHMARKS);
  if (names.length === 0) {
    console.log("No benchmarks yet.");
    return;
  }
  for (const n of names) {
    const load = BENCHMARKS[n];
    if (!load) {
      console.error(`bench: unknown benchmark '${n}'. Known: ${Object.keys(BENCHMARKS).join(", ")}`);
      process.exit(2);
    }
    await (await load()).run(rest);
  }
}

await main(process.argv.slice(2));

export {};
