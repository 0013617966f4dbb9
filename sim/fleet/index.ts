/** The fleet of simulated hosts: scenarios, the host model and execution. See sim/fleet-types.ts for the seam. */
export { KILLED_EXIT_CODE } from "./exec-bash.ts";
export { createFleet, type FleetOptions, PROBE_MARKER } from "./fleet.ts";
export { generateMultiScenario, generateScenario } from "./generate-scenario.ts";
export { loadScenario, parseScenario, SCENARIO_DIR } from "./load-scenario.ts";
export { directoryOf, memberScenarios, roleIdFor } from "./multi.ts";
export {
  EXPECTED_VERDICTS,
  type ExpectedVerdict,
  FAILURE_KINDS,
  type FailureKind,
  IMDS_MODES,
  type ImdsMode,
  type Scenario,
  type ScenarioGroup,
  type ScenarioHost,
  type ScenarioInput,
  scenarioSchema,
} from "./scenario-schema.ts";
