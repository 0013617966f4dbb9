/**
 * `fleet-doctor sim`: runs the AWS-compatible fleet simulator until SIGINT/SIGTERM.
 * Prints exactly `listening on http://127.0.0.1:<port>` once it answers.
 */
import { type FaultSettings, parseThrottleFlag } from "../../sim/faults.ts";
import { isHostCount, numberFlag as num, parseFlags } from "../flags.ts";

const USAGE = `Usage: fleet-doctor sim [--port <p>] [--scenario <name|path>] [--hosts N [--seed S]] [--exec bash|model]
                         [--throttle Op=rps,...] [--latency-ms N] [--error-rate F] [--max-processes N] [--account ID]

Serves SSM (awsJson1_1) and Auto Scaling (awsQuery) on 127.0.0.1 over a simulated fleet, plus /_sim/ (control).
  --port 0         a free port (default)
  --scenario       a name in sim/scenarios/ or a path to a scenario JSON file (default demo)
  --hosts N        a generated fleet of N hosts instead of a scenario file
  --exec model     render the probe in-process instead of running bash per host (large fleets)
  --throttle       per-operation requests per second, e.g. SendCommand=5,DescribeInstanceInformation=2
  --latency-ms     added to every AWS answer
  --error-rate     share (0..1) of AWS requests answered with a 5xx
  --account ID     the 12-digit account STS GetCallerIdentity answers (default 123456789012): another fleet
Point clients at it with AWS_ENDPOINT_URL=<url> AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test.`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags(
    {
      args: argv,
      options: {
        port: { type: "string" },
        scenario: { type: "string" },
        hosts: { type: "string" },
        seed: { type: "string" },
        exec: { type: "string" },
        throttle: { type: "string" },
        "latency-ms": { type: "string" },
        "error-rate": { type: "string" },
        "max-processes": { type: "string" },
        account: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    },
    USAGE,
  );
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  let port: number | undefined;
  let hosts: number | undefined;
  let seed: number | undefined;
  let maxProcesses: number | undefined;
  const faults: FaultSettings = {};
  const exec = (values.exec as string | undefined) ?? "bash";
  try {
    port = num("port", values.port as string | undefined, (n) => Number.isInteger(n) && n >= 0 && n < 65536);
    hosts = num("hosts", values.hosts as string | undefined, isHostCount);
    seed = num("seed", values.seed as string | undefined, Number.isInteger);
    maxProcesses = num(
      "max-processes",
      values["max-processes"] as string | undefined,
      (n) => Number.isInteger(n) && n >= 1,
    );
    if (exec !== "bash" && exec !== "model") throw new Error(`--exec: '${exec}' is not bash or model`);
    if (values.throttle !== undefined) faults.throttle = parseThrottleFlag(values.throttle as string);
    faults.latencyMs = num("latency-ms", values["latency-ms"] as string | undefined, (n) => n >= 0 && n <= 60_000);
    faults.errorRate = num("error-rate", values["error-rate"] as string | undefined, (n) => n >= 0 && n <= 1);
    if (hosts !== undefined && values.scenario !== undefined) throw new Error("give --scenario or --hosts, not both");
    if (values.account !== undefined && !/^\d{12}$/.test(values.account as string))
      throw new Error(`--account: '${values.account}' is not a 12-digit account id`);
  } catch (e) {
    console.error(`fleet-doctor sim: ${(e as Error).message}`);
    return 2;
  }

  // Loaded only now, so bad flags are answered without loading the fleet.
  const { startSimulator } = await import("../../sim/main.ts");
  const { generateScenario } = await import("../../sim/fleet/index.ts");
  let sim: Awaited<ReturnType<typeof startSimulator>>;
  try {
    sim = await startSimulator({
      port: port ?? 0,
      scenario:
        hosts !== undefined ? generateScenario({ hosts, seed }) : ((values.scenario as string | undefined) ?? "demo"),
      exec: exec as "bash" | "model",
      faults,
      maxProcesses,
      ...(values.account ? { account: values.account as string } : {}),
    });
  } catch (e) {
    console.error(`fleet-doctor sim: ${(e as Error).message}`);
    return 2;
  }
  console.log(`listening on ${sim.url}`);

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      console.error(`fleet-doctor sim: ${signal}, stopping`);
      const done = (code: number) => {
        // Nothing should outlive the simulator; if a stray handle would keep the process up, exit anyway.
        setTimeout(() => process.exit(code), 2_000).unref();
        resolve(code);
      };
      sim.close().then(
        () => done(0),
        (e) => {
          console.error(`fleet-doctor sim: ${(e as Error).message}`);
          done(1);
        },
      );
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
}
