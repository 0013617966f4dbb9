import type { Scenario } from "./scenario-schema.ts";

export function generateScenario(_opts: { hosts: number; seed?: number }): Scenario {
  throw new Error("not yet");
}
