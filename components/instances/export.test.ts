import { describe, expect, it } from "vitest";
import { rowsToCsv, rowsToJson } from "./export.ts";
import type { InstanceRow } from "./rows.ts";

const row = (over: Partial<InstanceRow> = {}): InstanceRow => ({
  instanceId: "i-0123456789abcdef0",
  rowKey: "111111111111/us-east-1 i-0123456789abcdef0",
  fleet: "111111111111/us-east-1",
  account: "111111111111",
  region: "us-east-1",
  verdict: "lifecycle-404:ready",
  cause: "(none)",
  group: "web",
  lifecycleState: "InService",
  agentVersion: "1.89.3",
  pingStatus: "Online",
  probedAt: "2026-11-28T18:00:00.000Z",
  scanId: "s1",
  restartWillWork: true,
  registered: "no",
  ...over,
});

describe("export of the current view", () => {
  it("writes a header and one CSV line per row", () => {
    const csv = rowsToCsv([
      row(),
      row({ instanceId: "i-0123456789abcdef1", verdict: "healthy", restartWillWork: false }),
    ]);
    const lines = csv.trimEnd().split("\r\n");
    expect(lines[0]).toBe(
      "instanceId,verdict,cause,group,lifecycleState,agentVersion,pingStatus,registered,probedAt,restartWillWork,scanId,account,region",
    );
    expect(lines[1]).toBe(
      "i-0123456789abcdef0,lifecycle-404:ready,(none),web,InService,1.89.3,Online,no,2026-11-28T18:00:00.000Z,true,s1,111111111111,us-east-1",
    );
    expect(lines).toHaveLength(3);
  });

  it("quotes commas and quotes, and defuses spreadsheet formulas from untrusted names", () => {
    const csv = rowsToCsv([row({ group: 'a,"b"' }), row({ group: "=HYPERLINK(1)" })]);
    expect(csv).toContain('"a,""b"""');
    expect(csv).toContain("'=HYPERLINK(1)");
  });

  it("writes JSON objects with the same columns", () => {
    const parsed = JSON.parse(rowsToJson([row()]));
    expect(parsed).toEqual([expect.objectContaining({ instanceId: "i-0123456789abcdef0", restartWillWork: true })]);
  });
});
