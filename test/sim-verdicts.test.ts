/**
 * The simulator keeps its own list of the verdicts its hosts are expected to reach (sim/ never imports the app's
 * code, so that the tests do not agree with themselves). This holds it equal to the app's verdict catalogue: a verdict
 * added to one and not the other fails here.
 */
import { expect, it } from "vitest";
import { VERDICTS } from "../lib/diagnosis/catalogue.ts";
import { EXPECTED_VERDICTS } from "../sim/fleet/scenario-schema.ts";

it("the simulator's expected verdicts are the catalogue's", () => {
  expect([...EXPECTED_VERDICTS].sort()).toEqual([...VERDICTS].sort());
  expect(new Set(EXPECTED_VERDICTS).size).toBe(EXPECTED_VERDICTS.length);
});
