import { describe, expect, it } from "vitest";
import { type FleetOption, fleetPicker, pickHref } from "./fleet-picker.ts";

const href = (f: string | undefined) => (f ? `/?fleet=${f}` : "/");
const one: FleetOption = {
  id: "123456789012/us-east-1",
  account: "123456789012",
  region: "us-east-1",
  source: "default",
};
const prod: FleetOption = {
  id: "111111111111/us-east-1",
  account: "111111111111",
  region: "us-east-1",
  name: "prod",
  source: "file",
};
const sandbox: FleetOption = {
  id: "333333333333/eu-west-1",
  account: "333333333333",
  region: "eu-west-1",
  source: "file",
  error: { code: "ACCESS_DENIED", message: "denied" },
};

describe("the header's fleet picker", () => {
  it("with one fleet says which, as before fleets were many: no choices", () => {
    const p = fleetPicker([one], undefined, href);
    expect(p.text).toBe("us-east-1 · 123456789012");
    expect(p.ariaLabel).toBe("us-east-1 · 123456789012: the fleet in view (region, account)");
    expect(p.items.map((i) => i.id)).toEqual(["account", "region", "source"]);
    expect(p.items.every((i) => "disabled" in i && i.disabled)).toBe(true);
  });

  it("with several offers every fleet and each one, the current one checked, errors beside their fleet", () => {
    const all = fleetPicker([prod, sandbox], undefined, href);
    expect(all.text).toBe("All fleets (2)");
    expect(all.items[0]).toMatchObject({ id: "all", href: "/", iconName: "check" });
    const group = all.items[1] as { items: { id: string; text: string; secondaryText?: string }[] };
    expect(group.items.map((i) => [i.id, i.text, i.secondaryText])).toEqual([
      [prod.id, "prod · us-east-1 · 111111111111", undefined],
      [sandbox.id, "eu-west-1 · 333333333333", "Cannot be read: ACCESS_DENIED"],
    ]);
    const picked = fleetPicker([prod, sandbox], prod.id, href);
    expect(picked.text).toBe("us-east-1 · 111111111111");
    expect(picked.ariaLabel).toMatch(/^us-east-1 · 111111111111: the fleet in view/);
    expect(picked.items[0]).not.toHaveProperty("iconName");
  });

  it("with one configured fleet and another only in the store, names the configured one and offers both", () => {
    const stored: FleetOption = { ...prod, id: "999999999999/us-east-1", account: "999999999999", source: "store" };
    const p = fleetPicker([one, stored], undefined, href);
    expect(p.ariaLabel).toBe("us-east-1 · 123456789012: the fleet in view (region, account)");
    expect(p.items.map((i) => i.id)).toEqual(["all", "configured", "stored"]);
  });

  it("leads to the same list with its filters, or from one thing's page to its section's list", () => {
    expect(pickHref("/instances", "verdict=healthy&page=3&fleet=x", "/instances", prod.id)).toBe(
      "/instances?fleet=111111111111%2Fus-east-1&verdict=healthy",
    );
    expect(pickHref("/instances/i-0123456789abcdef0", "fleet=x", "/instances", undefined)).toBe("/instances");
    expect(pickHref("/", "", "/", undefined)).toBe("/");
  });
});
