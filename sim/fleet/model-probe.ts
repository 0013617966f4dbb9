/**
 * Model mode: renders in-process what lib/probe/probe.sh would print on a host, for fleets too large to spawn bash
 * per host. Returns undefined when it cannot (the caller then runs bash).
 */
import type { ExecResult } from "../fleet-types.ts";
import type { Host } from "./host.ts";

export function renderProbe(_host: Host, _commands: string[]): ExecResult | undefined {
  return undefined;
}
