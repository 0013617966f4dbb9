import { describe, expect, it } from "vitest";
import { FleetDoctorError, isFleetDoctorError } from "./errors.ts";

describe("FleetDoctorError", () => {
  it("is recognised across copies of the module (each Next.js route bundles its own), and nothing else is", async () => {
    // A second instance of the module, as another route's bundle holds: the store shared by all routes may throw
    // an error made by that copy.
    const copy = (await import(/* @vite-ignore */ `./errors.ts?copy=${Date.now()}`)) as typeof import("./errors.ts");
    expect(copy.FleetDoctorError).not.toBe(FleetDoctorError);
    const fromCopy = new copy.FleetDoctorError("CONFLICT", "A scan of fleet f is already running: s", { scanId: "s" });
    expect(fromCopy instanceof FleetDoctorError).toBe(true);
    expect(isFleetDoctorError(fromCopy)).toBe(true);
    expect(new FleetDoctorError("NOT_FOUND", "x") instanceof copy.FleetDoctorError).toBe(true);
    expect(isFleetDoctorError(new Error("x"))).toBe(false);
    expect(isFleetDoctorError({ code: "CONFLICT", name: "FleetDoctorError" })).toBe(false);
    expect(isFleetDoctorError(null)).toBe(false);
  });
});
