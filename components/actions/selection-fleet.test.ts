import { describe, expect, it } from "vitest";
import { selectionFleet } from "./selection-fleet.ts";

describe("selectionFleet", () => {
  it("names the one fleet of the rows, says when they span several, and nothing for rows without one", () => {
    expect(
      selectionFleet([
        { instanceId: "i-1", fleet: "111111111111/us-east-1" },
        { instanceId: "i-1", fleet: "111111111111/us-east-1" },
      ]),
    ).toEqual({
      fleet: "111111111111/us-east-1",
      mixed: false,
    });
    expect(
      selectionFleet([
        { instanceId: "i-1", fleet: "111111111111/us-east-1" },
        { instanceId: "i-2", fleet: "222222222222/us-east-1" },
      ]),
    ).toEqual({
      mixed: true,
    });
    expect(selectionFleet([{ instanceId: "i-1" }, { instanceId: "i-2" }])).toEqual({ mixed: false });
    expect(selectionFleet([{ instanceId: "i-1" }, { instanceId: "i-1", fleet: "111111111111/us-east-1" }])).toEqual({
      fleet: "111111111111/us-east-1",
      mixed: false,
    });
  });
});
