/**
 * Hosts on which SSM's scripts do not get to finish (scenario `scripts`), identical in both exec modes:
 * - "noexec": the volume holding /var/lib/amazon/ssm is mounted noexec (a hardened image). The SSM agent writes the
 *   commands to `_script.sh` there and runs `sh -c <that path>`; the kernel refuses the exec, so no line of the
 *   script runs, whatever it is: sh prints Permission denied and exits 126.
 * - "hang": the root volume stalled. In bash mode the probe really blocks (host.ts makes /etc/os-release a FIFO);
 *   model mode renders the same outcome: nothing printed until executionTimeout kills it.
 */
import { randomUUID } from "node:crypto";
import type { ExecResult, RunOptions } from "../fleet-types.ts";
import { KILLED_EXIT_CODE } from "./exec-bash.ts";
import type { Host } from "./host.ts";

/** Where the SSM agent writes AWS-RunShellScript's commands (the orchestration folder, one per command id). */
export function ssmScriptPath(host: Host, commandId: string = randomUUID()): string {
  return `/var/lib/amazon/ssm/${host.id}/document/orchestration/${commandId}/awsrunShellScript/0.awsrunShellScript/_script.sh`;
}

/** `sh -c <script>` on a noexec mount. sh is bash: 5.2 on AL2023 names the -c string's line, 4.2 on AL2 does not. */
export function noexecResult(host: Host): ExecResult {
  const where = host.spec.os === "al2" ? "sh" : "sh: line 1";
  return {
    exitCode: 126,
    stdout: "",
    stderr: `${where}: ${ssmScriptPath(host)}: Permission denied\n`,
    timedOut: false,
  };
}

/** A script that never finishes: it ends when executionTimeout kills it (timedOut) or the command is cancelled. */
export function hangUntilKilled(options: RunOptions): Promise<ExecResult> {
  return new Promise((resolve) => {
    const done = (timedOut: boolean) => {
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      resolve({ exitCode: KILLED_EXIT_CODE, stdout: "", stderr: "", timedOut });
    };
    const onAbort = () => done(false);
    const timer = setTimeout(() => done(true), options.executionTimeoutSeconds * 1000);
    if (options.signal?.aborted) done(false);
    else options.signal?.addEventListener("abort", onAbort, { once: true });
  });
}
