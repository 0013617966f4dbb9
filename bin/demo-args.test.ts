import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseDemoArgs } from "./demo-args.ts";

const ROOT = "/srv/fleet-doctor";

describe("parseDemoArgs", () => {
  it("runs the demo scenario without flags, or the one FLEET_DOCTOR_SCENARIO names", () => {
    expect(parseDemoArgs([], {}, ROOT)).toEqual({ kind: "scenario", scenario: "demo" });
    expect(parseDemoArgs([], { FLEET_DOCTOR_SCENARIO: "minimal" }, ROOT)).toEqual({
      kind: "scenario",
      scenario: "minimal",
    });
  });

  it("generates a fleet of --hosts N with a database of its own", () => {
    expect(parseDemoArgs(["--hosts", "10000"], {}, ROOT)).toEqual({
      kind: "generated",
      hosts: 10_000,
      seed: undefined,
      dbPath: "/srv/fleet-doctor/data/demo-10000-hosts.db",
    });
    expect(parseDemoArgs(["--hosts=500", "--seed", "7"], {}, ROOT)).toMatchObject({
      hosts: 500,
      seed: 7,
      dbPath: "/srv/fleet-doctor/data/demo-500-hosts-seed-7.db",
    });
    expect(parseDemoArgs(["--hosts", "500"], { FLEET_DOCTOR_DB: "/tmp/x.db" }, ROOT)).toMatchObject({
      dbPath: "/tmp/x.db",
    });
  });

  it("runs a shipped scenario by --scenario NAME, over FLEET_DOCTOR_SCENARIO", () => {
    expect(parseDemoArgs(["--scenario", "scale-out"], {}, ROOT)).toEqual({ kind: "scenario", scenario: "scale-out" });
    expect(parseDemoArgs(["--scenario=small"], { FLEET_DOCTOR_SCENARIO: "demo" }, ROOT)).toEqual({
      kind: "scenario",
      scenario: "small",
    });
  });

  it("refuses a --scenario that is not shipped, listing those that are", () => {
    expect(() => parseDemoArgs(["--scenario", "scaleout"], {}, ROOT)).toThrow(
      /^--scenario: no scenario 'scaleout' \(there are: .*\bscale-out\b.*\)$/,
    );
    expect(() => parseDemoArgs(["--scenario", "../x"], {}, ROOT, ["demo"])).toThrow(
      "--scenario: no scenario '../x' (there are: demo)",
    );
    expect(() => parseDemoArgs(["--scenario"], {}, ROOT)).toThrow(/argument missing/);
    expect(() => parseDemoArgs(["--scenario", "demo", "--hosts", "10"], {}, ROOT)).toThrow(/not both/);
  });

  it("asks for help with --help or -h", () => {
    expect(parseDemoArgs(["--help"], {}, ROOT)).toEqual({ kind: "help" });
    expect(parseDemoArgs(["-h"], {}, ROOT)).toEqual({ kind: "help" });
  });

  it.each([
    [["--hosts", "0"], /--hosts: '0' is not valid/],
    [["--hosts", "100001"], /--hosts: '100001' is not valid/],
    [["--hosts", "2.5"], /--hosts: '2.5' is not valid/],
    [["--hosts", "ten"], /--hosts: 'ten' is not valid/],
    [["--hosts", "10", "--seed", "1.5"], /--seed: '1.5' is not valid/],
    [["--seed", "3"], /--seed goes with --hosts/],
    [["--host", "10"], /Unknown option '--host'/],
    [["10000"], /Unexpected argument '10000'/],
  ])("refuses %j, naming what is wrong", (argv, message) => {
    expect(() => parseDemoArgs(argv, {}, ROOT)).toThrow(message);
  });

  it("refuses --hosts together with FLEET_DOCTOR_SCENARIO", () => {
    expect(() => parseDemoArgs(["--hosts", "10"], { FLEET_DOCTOR_SCENARIO: "demo" }, ROOT)).toThrow(/not both/);
  });
});

describe("the fleets file of a scenario of many accounts", () => {
  /** This checkout: the example must really be there. */
  const REPO = path.resolve(import.meta.dirname, "..");

  it("the multi scenario brings examples/fleets.multi.yaml; the others none", () => {
    expect(parseDemoArgs(["--scenario", "multi"], {}, REPO, ["demo", "multi"])).toEqual({
      kind: "scenario",
      scenario: "multi",
      fleetsFile: path.join(REPO, "examples", "fleets.multi.yaml"),
    });
    expect(parseDemoArgs([], { FLEET_DOCTOR_SCENARIO: "multi" }, REPO, ["multi"])).toMatchObject({
      fleetsFile: path.join(REPO, "examples", "fleets.multi.yaml"),
    });
    expect(parseDemoArgs(["--scenario", "demo"], {}, REPO, ["demo", "multi"])).not.toHaveProperty("fleetsFile");
  });
});
