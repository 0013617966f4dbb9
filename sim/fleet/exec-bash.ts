/**
 * Runs AWS-RunShellScript `commands` with real bash in a host's sandbox, as the SSM agent does on an instance:
 * the commands joined with newlines into a script file, run with a fresh environment whose PATH starts with the
 * host's `systemctl` / `rpm` shims. executionTimeout and cancellation kill the whole process group.
 */
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { ExecResult, RunOptions } from "../fleet-types.ts";
import type { Host } from "./host.ts";

/** Output beyond this is dropped (SSM keeps far less: 2,500 / 24,000 characters). */
const OUTPUT_CAP = 1 << 20;

/** The exit code reported for a script that was killed (timeout or cancel). */
export const KILLED_EXIT_CODE = -1;

/**
 * A host whose IMDS refuses connections gets a URL on port 1 of the loopback, where nothing unprivileged can listen,
 * so curl sees a real "connection refused" (a socket the simulator closes would look like an empty reply instead).
 */
export function imdsUrlFor(host: Host): string {
  return host.spec.imds === "refuse" ? `http://127.0.0.1:1/_hosts/${host.id}/imds` : `${host.hostUrl()}/imds`;
}

export function runBash(host: Host, commands: string[], options: RunOptions): Promise<ExecResult> {
  const sandbox = host.materialize();
  const now = host.sync();
  host.refreshProc(now);
  const runDir = path.join(sandbox, ".sim/run", randomUUID());
  mkdirSync(runDir, { recursive: true });
  const script = path.join(runDir, "_script.sh");
  writeFileSync(script, `${commands.join("\n")}\n`, { mode: 0o700 });
  const cwd = options.workingDirectory ? path.join(sandbox, options.workingDirectory) : runDir;
  mkdirSync(cwd, { recursive: true });
  const env: Record<string, string> = {
    PATH: `${host.shimDir()}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
    HOME: path.join(sandbox, "tmp"),
    TMPDIR: path.join(sandbox, "tmp"),
    USER: "root",
    FLEET_DOCTOR_ROOT: sandbox,
    FLEET_DOCTOR_IMDS_URL: imdsUrlFor(host),
    FLEET_DOCTOR_AGENT_URL: host.agentUrl(),
  };

  return new Promise<ExecResult>((resolve) => {
    const finish = (r: ExecResult) => {
      rmSync(runDir, { recursive: true, force: true });
      resolve(r);
    };
    if (options.signal?.aborted) {
      finish({ exitCode: KILLED_EXIT_CODE, stdout: "", stderr: "", timedOut: false });
      return;
    }
    const child = spawn("bash", [script], {
      cwd,
      env: env as NodeJS.ProcessEnv,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outLen = 0;
    let errLen = 0;
    child.stdout.on("data", (b: Buffer) => {
      if (outLen < OUTPUT_CAP) out.push(b);
      outLen += b.length;
    });
    child.stderr.on("data", (b: Buffer) => {
      if (errLen < OUTPUT_CAP) err.push(b);
      errLen += b.length;
    });
    let timedOut = false;
    let killed = false;
    const killGroup = () => {
      killed = true;
      try {
        if (child.pid) process.kill(-child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, options.executionTimeoutSeconds * 1000);
    const onAbort = () => killGroup();
    options.signal?.addEventListener("abort", onAbort, { once: true });
    child.on("error", (e) => {
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      finish({ exitCode: 127, stdout: "", stderr: `failed to run bash: ${e.message}\n`, timedOut: false });
    });
    let exitCode: number | null = null;
    child.on("exit", (code) => {
      exitCode = code;
      // Whatever the script left running in its group goes too (it would hold stdout open), as the SSM agent's
      // process-group kill does.
      if (!killed && child.pid) {
        try {
          process.kill(-child.pid, "SIGKILL");
        } catch {
          // nothing left
        }
      }
    });
    child.on("close", () => {
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      finish({
        exitCode: killed ? KILLED_EXIT_CODE : (exitCode ?? KILLED_EXIT_CODE),
        stdout: Buffer.concat(out).toString("utf8").slice(0, OUTPUT_CAP),
        stderr: Buffer.concat(err).toString("utf8").slice(0, OUTPUT_CAP),
        timedOut,
      });
    });
  });
}
