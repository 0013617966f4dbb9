import { describe, expect, it } from "vitest";
import { consoleFleets, fleetsInScope, scopeFilter } from "./console-fleets.ts";
import { isFleetId, selectedFleet, splitFleetId, withFleet } from "./fleet-ids.ts";
import { narrowFleets } from "./narrow-fleets.ts";

describe("fleet ids", () => {
  it.each([
    ["111111111111/us-east-1", true],
    ["111111111111/us-gov-west-1", true],
    ["127.0.0.1:4566/eu-west-1", true], // a fleet named by its endpoint (no STS)
    ["unknown-account/us-east-1", true],
    ["123/us-east-1", false],
    ["111111111111/Mars", false],
    ["111111111111", false],
    ["/us-east-1", false],
    ["x; rm -rf //us-east-1", false],
    ["../../etc/us-east-1", false],
  ])("%s is a fleet id: %s", (id, ok) => {
    expect(isFleetId(id)).toBe(ok);
  });

  it("reads the picker's ?fleet= (absent, all or malformed: every fleet) and keeps it in links", () => {
    expect(selectedFleet("111111111111/us-east-1")).toBe("111111111111/us-east-1");
    expect(selectedFleet(["222222222222/eu-west-1", "x"])).toBe("222222222222/eu-west-1");
    for (const v of [undefined, null, "", "all", "nope"]) expect(selectedFleet(v)).toBeUndefined();
    expect(splitFleetId("127.0.0.1:4566/eu-west-1")).toEqual({ account: "127.0.0.1:4566", region: "eu-west-1" });
    expect(withFleet("/instances", undefined)).toBe("/instances");
    expect(withFleet("/instances", "111111111111/us-east-1")).toBe("/instances?fleet=111111111111%2Fus-east-1");
    expect(withFleet("/instances?verdict=healthy", "111111111111/us-east-1")).toBe(
      "/instances?verdict=healthy&fleet=111111111111%2Fus-east-1",
    );
  });
});

describe("the console's fleets", () => {
  const view = {
    source: "file" as const,
    targets: [
      { id: "111111111111/us-east-1", account: "111111111111", region: "us-east-1", name: "prod", roles: [] },
      { id: "222222222222/us-east-1", account: "222222222222", region: "us-east-1", roles: [] },
    ],
    errors: [
      {
        fleet: "333333333333/us-east-1",
        account: "333333333333",
        region: "us-east-1",
        code: "ACCESS_DENIED",
        message: "the role cannot be assumed",
      },
    ],
  };
  const inStore = [
    { fleet: "111111111111/us-east-1", instances: 4 },
    { fleet: "999999999999/us-east-1", instances: 2 },
  ];

  it("lists the configured fleets, those in error, then those only the store has, each once", () => {
    const fleets = consoleFleets(view, inStore);
    expect(fleets.map((f) => [f.id, f.source, f.instances, f.name, f.error?.code])).toEqual([
      ["111111111111/us-east-1", "file", 4, "prod", undefined],
      ["222222222222/us-east-1", "file", 0, undefined, undefined],
      ["333333333333/us-east-1", "file", 0, undefined, "ACCESS_DENIED"],
      ["999999999999/us-east-1", "store", 2, undefined, undefined],
    ]);
    // Every fleet: the configured ones (in error too); one picked: that one, even one only the store has.
    expect(fleetsInScope(fleets, undefined)).toEqual([
      "111111111111/us-east-1",
      "222222222222/us-east-1",
      "333333333333/us-east-1",
    ]);
    expect(fleetsInScope(fleets, "999999999999/us-east-1")).toEqual(["999999999999/us-east-1"]);
    expect(scopeFilter(["a/us-east-1"])).toEqual({ fleet: "a/us-east-1" });
    expect(scopeFilter(["a/us-east-1", "b/us-east-1"])).toEqual({ fleets: ["a/us-east-1", "b/us-east-1"] });
  });

  it("gives a configured fleet the error the last sweep met reading it", () => {
    const read = new Map([
      ["222222222222/us-east-1", { code: "AccessDenied", message: "denied", at: "2026-12-06T00:00:00Z" }],
    ]);
    const fleets = consoleFleets(view, inStore, read);
    expect(fleets[1]).toMatchObject({
      id: "222222222222/us-east-1",
      error: { code: "AccessDenied", message: "denied" },
    });
    expect(fleets[0]).not.toHaveProperty("error");
  });

  it("narrows a listing's fleets by account and region", () => {
    const ids = ["111111111111/us-east-1", "111111111111/eu-west-1", "222222222222/us-east-1"];
    expect(narrowFleets(ids, { account: "111111111111" })).toEqual(ids.slice(0, 2));
    expect(narrowFleets(ids, { region: "us-east-1" })).toEqual([ids[0], ids[2]]);
    expect(narrowFleets(ids, { fleets: [ids[2]!, ids[2]!], account: "111111111111" })).toEqual([]);
    expect(narrowFleets(ids, {})).toEqual(ids);
  });
});
