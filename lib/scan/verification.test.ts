import { describe, expect, it } from "vitest";
import { isFleetScan, verifiedAction } from "./verification.ts";

describe("verification scans", () => {
  it("belong to the action named by their actor", () => {
    expect(verifiedAction({ actor: "action:5f0c1e4a" })).toBe("5f0c1e4a");
    expect(isFleetScan({ actor: "action:5f0c1e4a" })).toBe(false);
  });
  it("leave people's and the CLI's scans as fleet scans", () => {
    expect(isFleetScan({ actor: "local" })).toBe(true);
    expect(isFleetScan({})).toBe(true);
  });
});
