/**
 * Instance refreshes (StartInstanceRefresh): the group replaces its in-service members a batch at a time, each one
 * terminated and a new one launched from the group's current launch source (so a fixed template version reaches the
 * running instances), then waits the warmup before the next batch. Batches are as large as MinHealthyPercentage
 * allows (at least one instance). The warm pool is left alone (the simulator refreshes the live pool only).
 */
import { randomUUID } from "node:crypto";
import { FleetError, type GroupLaunchSource, type InstanceRefreshInfo } from "../fleet-types.ts";
import type { Host } from "./host.ts";
import type { GroupState } from "./scale-out.ts";

export type RefreshDeps = {
  hosts: Map<string, Host>;
  groups: Map<string, GroupState>;
  /** Terminates these members of the group and launches as many replacements; returns the new ids. */
  replace(group: string, ids: string[]): string[];
  /** Applies a desired configuration's launch source to the group (checked). */
  setSource(group: string, source: GroupLaunchSource): void;
  /** Default warmup (seconds) when the request gives none. */
  defaultWarmupSeconds: number;
};

const sameTemplate = (h: Host, g: GroupState) => {
  const s = g.source;
  if (!s || s.kind === "launch-configuration" || !h.launchTemplate) return false;
  return h.launchTemplate.id === s.template.id && h.launchTemplate.version === s.template.version;
};

export function createRefreshes(deps: RefreshDeps) {
  const timers = new Set<NodeJS.Timeout>();
  let stopped = false;

  function step(g: GroupState, r: InstanceRefreshInfo, todo: string[], total: number) {
    if (stopped || r.status !== "InProgress") return;
    const now = Date.now();
    const live = todo.filter((id) => deps.hosts.get(id)?.membership(now)?.group === g.spec.name);
    if (live.length === 0) {
      r.status = "Successful";
      r.percentageComplete = 100;
      r.endTime = new Date(now);
      r.statusReason = undefined;
      return;
    }
    const batch = Math.max(1, Math.floor((total * (100 - r.minHealthyPercentage)) / 100));
    const now_ = live.slice(0, batch);
    try {
      deps.replace(g.spec.name, now_);
    } catch (e) {
      r.status = "Failed";
      r.statusReason = `Failed to launch replacements: ${(e as Error).message}`;
      r.endTime = new Date(now);
      return;
    }
    const rest = live.slice(batch);
    const done = total - rest.length;
    r.percentageComplete = Math.min(99, Math.floor((done * 100) / Math.max(1, total)));
    r.statusReason = `Waiting for instances to warm up before continuing. For example: ${now_.join(", ")} is warming up.`;
    const t = setTimeout(() => {
      timers.delete(t);
      step(g, r, rest, total);
    }, r.instanceWarmup * 1000);
    t.unref();
    timers.add(t);
  }

  return {
    start(
      name: string,
      opts: {
        minHealthyPercentage?: number;
        instanceWarmup?: number;
        skipMatching?: boolean;
        desired?: GroupLaunchSource;
      },
    ): string {
      const g = deps.groups.get(name);
      if (!g)
        throw new FleetError(
          "ValidationError",
          `AutoScalingGroup name not found - AutoScalingGroup '${name}' not found`,
        );
      if (g.refreshes.some((r) => r.status === "Pending" || r.status === "InProgress" || r.status === "Cancelling"))
        throw new FleetError(
          "InstanceRefreshInProgress",
          "An Instance Refresh is already in progress and blocks the execution of this Instance Refresh.",
        );
      if (opts.desired) deps.setSource(name, opts.desired);
      const now = Date.now();
      const members = [...deps.hosts.values()].filter((h) => {
        const m = h.membership(now);
        return m && m.group === name && !m.inWarmPool;
      });
      const todo = members.filter((h) => !(opts.skipMatching && sameTemplate(h, g))).map((h) => h.id);
      const r: InstanceRefreshInfo = {
        id: randomUUID(),
        group: name,
        status: "Pending",
        startTime: new Date(now),
        percentageComplete: 0,
        instancesToUpdate: todo.length,
        minHealthyPercentage: opts.minHealthyPercentage ?? 90,
        instanceWarmup: opts.instanceWarmup ?? deps.defaultWarmupSeconds,
        skipMatching: opts.skipMatching ?? false,
        desired:
          opts.desired && opts.desired.kind === "launch-template"
            ? { launchTemplate: opts.desired.template }
            : undefined,
      };
      g.refreshes.unshift(r);
      const t = setTimeout(() => {
        timers.delete(t);
        if (stopped) return;
        r.status = "InProgress";
        step(g, r, todo, members.length);
      }, 0);
      t.unref();
      timers.add(t);
      return r.id;
    },
    list(name: string): InstanceRefreshInfo[] {
      const g = deps.groups.get(name);
      if (!g)
        throw new FleetError(
          "ValidationError",
          `AutoScalingGroup name not found - AutoScalingGroup '${name}' not found`,
        );
      return g.refreshes.map((r) => ({ ...r }));
    },
    stop() {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
}
