import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";

/** The project root: one folder up from bin/. */
export const ROOT = path.resolve(import.meta.dirname, "..");

export type Server = { url: string; pid: number; child: ChildProcess; stop(): Promise<void> };

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const address = srv.address();
      srv.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/** Whether nothing listens on `port` of 127.0.0.1 now (we could bind it). */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.unref();
    srv.once("error", () => resolve(false));
    srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
  });
}

/** Thrown when the port asked for is held by another program. */
export class PortTakenError extends Error {
  constructor(readonly port: number) {
    super(`port ${port} on 127.0.0.1 is already in use by another program`);
  }
}

export function chromiumPath(): string {
  return process.env.CHROMIUM_PATH || "/usr/bin/chromium";
}

/** Stops a child by its PID: SIGTERM, then SIGKILL if it has not gone within `graceMs`. */
function stopper(child: ChildProcess, graceMs = 5_000) {
  return () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      child.once("exit", () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill("SIGTERM");
    });
}

/**
 * Starts a program and resolves once a line of its output matches `ready` (the first capture group is the URL),
 * or rejects with the output so far if it exits, prints a line matching `failed`, or takes longer than `timeoutMs`.
 */
export function startServer(opts: {
  name: string;
  command: string;
  args: string[];
  env?: Record<string, string | undefined>;
  ready: RegExp;
  failed?: RegExp;
  url?: string;
  timeoutMs?: number;
  echo?: boolean;
}): Promise<Server> {
  const child = spawn(opts.command, opts.args, {
    cwd: ROOT,
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true", ...opts.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const stop = stopper(child);
  let output = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`${opts.name} did not start within ${opts.timeoutMs ?? 60_000} ms:\n${output}`));
    }, opts.timeoutMs ?? 60_000);
    let settled = false;
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      if (opts.echo) process.stderr.write(`[${opts.name}] ${text}`);
      if (settled) return;
      output += text;
      if (opts.failed?.test(output)) {
        settled = true;
        clearTimeout(timer);
        void stop();
        reject(new Error(`${opts.name} failed to start:\n${output}`));
        return;
      }
      const match = opts.ready.exec(output);
      if (match) {
        settled = true;
        clearTimeout(timer);
        resolve({ url: opts.url ?? match[1] ?? "", pid: child.pid!, child, stop });
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code, signal) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(new Error(`${opts.name} exited (${code ?? signal}) before it was ready:\n${output}`));
    });
  });
}

/**
 * The environment that points the dashboard (or the CLI) at a local simulator: its URL as the one AWS endpoint and
 * throw-away credentials. The developer's own session and profile are cleared so that nothing of a real account
 * can reach the child.
 */
export function simulatorEnv(url: string): Record<string, string | undefined> {
  return {
    AWS_ENDPOINT_URL: url,
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_SESSION_TOKEN: undefined,
    AWS_PROFILE: undefined,
  };
}

/**
 * `fleet-doctor sim` as a process of its own on a free port, resolved once it prints its `listening on` line.
 * `scenario` is a scenario name or a scenario file; `args` are further flags of `fleet-doctor sim`.
 */
export function startSimProcess(scenario: string, args: string[] = [], timeoutMs?: number): Promise<Server> {
  return startServer({
    name: "sim",
    command: process.execPath,
    args: [path.join(ROOT, "bin", "fleet-doctor.mjs"), "sim", "--port", "0", "--scenario", scenario, ...args],
    ready: /listening on (http:\/\/127\.0\.0\.1:\d+)/,
    timeoutMs,
  });
}

/**
 * What `next start` prints once it listens, and when it cannot. Its banner (`- Local: http://...`) comes before it
 * tries to listen, so the banner is no sign of readiness: a taken port prints the banner, then EADDRINUSE.
 */
export const NEXT_READY = /✓ Ready in|Ready in \d/;
export const NEXT_FAILED = /EADDRINUSE|address already in use|Failed to start server/i;

/**
 * `next start` from node_modules/.bin so the PID we hold is the server's own. A port another program holds is
 * refused up front (PortTakenError) rather than left for next to find after its banner.
 */
export async function startNext(env: Record<string, string | undefined>, port?: number, echo = false): Promise<Server> {
  const p = port ?? (await freePort());
  if (!(await portIsFree(p))) throw new PortTakenError(p);
  const nextBin = path.join(ROOT, "node_modules", ".bin", "next");
  if (!existsSync(path.join(ROOT, process.env.NEXT_DIST_DIR || ".next", "BUILD_ID"))) {
    throw new Error("No production build found: run `npm run build` first.");
  }
  return startServer({
    name: "next",
    command: nextBin,
    args: ["start", "--hostname", "127.0.0.1", "--port", String(p)],
    env,
    ready: NEXT_READY,
    failed: NEXT_FAILED,
    url: `http://127.0.0.1:${p}`,
    echo,
  });
}
