import { setTimeout as sleep } from "node:timers/promises";
import { FleetDoctorError } from "./errors.ts";
import type { LeaderStore } from "./store/interfaces.ts";

export type LeaderOptions = {
  /** Stops contending (and aborts the work when it runs): the process is shutting down. */
  signal?: AbortSignal;
  /** How often a contender tries to take the lead, and a leader confirms it still holds it. Default: a third of the lease's TTL. */
  checkMs?: number;
};

/**
 * Runs `work` in exactly one process of all those sharing the database: each caller contends for the leader lease
 * `name` (lib/store: kind `leader`, renewed by the store's heartbeat, measured on the database's clock), and the one
 * that holds it runs `work`. The work's signal aborts as soon as leadership is lost: the heartbeat found the lease
 * taken, this leader's own check every `checkMs` found another leading, or it could not confirm its lease for
 * longer than the TTL minus one check (the database unreachable: the lease may have run out and another may lead).
 * Work should stop promptly on that signal; this then contends again, and when another process dies (stops
 * renewing), takes over once its lease has run out.
 *
 * Resolves with the work's value when the work returns while still leading (the lead is then given up), or
 * undefined once `opts.signal` aborts. A work that throws while leading gives the lead up and rejects.
 */
export async function runAsLeader<T>(
  store: LeaderStore,
  name: string,
  work: (signal: AbortSignal) => Promise<T>,
  opts: LeaderOptions = {},
): Promise<T | undefined> {
  const stop = opts.signal;
  const checkMs = opts.checkMs ?? Math.max(100, Math.floor(store.leaseTtlMs / 3));
  const wait = (ms: number) => sleep(ms, undefined, { signal: stop }).catch(() => undefined);
  while (!stop?.aborted) {
    let leading = false;
    try {
      leading = await store.claimLeadership(name);
    } catch (e) {
      console.error(`[fleet-doctor] could not contend for leadership of ${name}:`, (e as Error).message);
    }
    if (!leading) {
      await wait(checkMs);
      continue;
    }

    const lost = new AbortController();
    const loseIt = (why: string) =>
      lost.abort(new FleetDoctorError("CONFLICT", `Leadership of ${name} lost: ${why}`, { name }));
    const signal = AbortSignal.any([store.leadershipSignal(name), lost.signal, ...(stop ? [stop] : [])]);
    let confirmedAt = Date.now();
    const check = setInterval(() => {
      store.leaderOf(name).then(
        (leader) => {
          if (leader?.owner === store.owner) confirmedAt = Date.now();
          else loseIt(leader ? `${leader.owner} leads it` : "the lease ran out");
        },
        () => {
          if (Date.now() - confirmedAt > store.leaseTtlMs - checkMs) loseIt("its lease could not be confirmed");
        },
      );
    }, checkMs);
    check.unref();
    try {
      const out = await work(signal);
      if (!signal.aborted || stop?.aborted) {
        await store.resign(name).catch(() => undefined);
        return stop?.aborted ? undefined : out;
      }
    } catch (e) {
      // Work that stopped because leadership was lost contends again; any other failure is the caller's.
      if (!signal.aborted || stop?.aborted) {
        await store.resign(name).catch(() => undefined);
        throw e;
      }
    } finally {
      clearInterval(check);
    }
  }
  return undefined;
}
