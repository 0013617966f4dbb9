import { describe, expect, it } from "vitest";
import { VERDICTS } from "@/lib/diagnosis/types.ts";
import { type InstanceRow, NONE, REGISTERED_TEXT } from "./rows.ts";
import { filteringOptionsFor, SORTING, tablePage } from "./table-model.ts";
import { parseTableView } from "./url-state.ts";

const VERSIONS = ["1.89.3", "1.100.0", "1.91.1", "1.9.0"];
const GROUPS = ["web", "api", NONE];

function rows(n: number): InstanceRow[] {
  return Array.from({ length: n }, (_, i) => ({
    instanceId: `i-${i.toString(16).padStart(17, "0")}`,
    rowKey: `i-${i.toString(16).padStart(17, "0")}`,
    account: NONE,
    region: NONE,
    verdict: VERDICTS[i % VERDICTS.length]!,
    cause: NONE,
    group: GROUPS[i % GROUPS.length]!,
    lifecycleState: i % 2 ? "InService" : NONE,
    agentVersion: VERSIONS[i % VERSIONS.length]!,
    pingStatus: i % 5 ? "Online" : "ConnectionLost",
    probedAt: new Date(Date.UTC(2026, 10, 28, 0, 0, i)).toISOString(),
    scanId: "scan-1",
    restartWillWork: VERDICTS[i % VERDICTS.length] === "lifecycle-404:ready",
    registered: REGISTERED_TEXT[i % 3]!,
  }));
}

const view = (qs: string) => parseTableView(new URLSearchParams(qs));

describe("the table's first page (what the server renders)", () => {
  const all = rows(500);

  it("filters, sorts and pages as the URL says", () => {
    const page = tablePage(all, view("group=web&ping=Online&sort=instanceId&desc=1&page=2"), 25);
    const expected = all
      .filter((r) => r.group === "web" && r.pingStatus === "Online")
      .map((r) => r.instanceId)
      .sort()
      .reverse();
    expect(page.matching).toBe(expected.length);
    expect(page.total).toBe(500);
    expect(page.pagesCount).toBe(Math.ceil(expected.length / 25));
    expect(page.pageIndex).toBe(2);
    expect(page.items.map((r) => r.instanceId)).toEqual(expected.slice(25, 50));
  });

  it("matches free text in any field and negates with !", () => {
    const id = all[123]!.instanceId;
    expect(tablePage(all, view(`q=${id}`), 50).items.map((r) => r.instanceId)).toEqual([id]);
    const notWeb = tablePage(all, view("group=!web"), 1000);
    expect(notWeb.matching).toBe(all.filter((r) => r.group !== "web").length);
    expect(notWeb.items.every((r) => r.group !== "web")).toBe(true);
  });

  it.each([
    ["api", (r: InstanceRow) => r.group === "api"],
    ["1.89.3", (r: InstanceRow) => r.agentVersion === "1.89.3"],
    ["InService", (r: InstanceRow) => r.lifecycleState === "InService"],
    ["connectionlost", (r: InstanceRow) => r.pingStatus === "ConnectionLost"],
    ["restart will fix", (r: InstanceRow) => r.verdict === "lifecycle-404:ready"],
  ])("free text %j matches every visible column, not only ids", (q, expected) => {
    const page = tablePage(all, view(`q=${encodeURIComponent(q)}`), 1000);
    expect(page.matching).toBe(all.filter(expected).length);
    expect(page.matching).toBeGreaterThan(0);
  });

  it("filters and sorts on ECS registration", () => {
    const no = tablePage(all, view("registered=no"), 1000);
    expect(no.matching).toBe(all.filter((r) => r.registered === "no").length);
    expect(no.items.every((r) => r.registered === "no")).toBe(true);
    const notAsked = tablePage(all, view("registered=!not%20asked"), 1000);
    expect(notAsked.items.every((r) => r.registered !== "not asked")).toBe(true);
    const sorted = tablePage(all, view("sort=registered&desc=1"), 1000).items.map((r) => r.registered);
    expect([...new Set(sorted)]).toEqual(["yes", "not asked", "no"]);
    expect(
      filteringOptionsFor(all)
        .filter((o) => o.propertyKey === "registered")
        .map((o) => o.value),
    ).toEqual(["yes", "no", "not asked"]);
  });

  it("falls back to page 1 when the URL's page is past the end", () => {
    const page = tablePage(all, view("verdict=healthy&page=99"), 50);
    expect(page.pageIndex).toBe(1);
    expect(page.items[0]?.verdict).toBe("healthy");
  });

  it("sorts agent versions as versions and verdicts by severity", () => {
    const versions = tablePage(all, view("sort=agentVersion"), 1000).items.map((r) => r.agentVersion);
    expect([...new Set(versions)]).toEqual(["1.9.0", "1.89.3", "1.91.1", "1.100.0"]);
    const first = tablePage(all, view("sort=verdict"), 1).items[0]!;
    expect(SORTING.verdict.sortingComparator(first, all.find((r) => r.verdict === "healthy")!)).toBeLessThan(0);
  });

  it("renders an empty fleet as an empty first page", () => {
    expect(tablePage([], view("verdict=healthy"), 50)).toEqual({
      items: [],
      total: 0,
      matching: 0,
      pagesCount: 0,
      pageIndex: 1,
      fleets: 0,
    });
  });
});

describe("filtering suggestions", () => {
  it("offers every verdict and each property's distinct values, but not 10,000 of them", () => {
    const options = filteringOptionsFor(rows(60));
    expect(options.filter((o) => o.propertyKey === "verdict")).toHaveLength(VERDICTS.length);
    expect(options.filter((o) => o.propertyKey === "agentVersion").map((o) => o.value)).toEqual([...VERSIONS].sort());
    const many = rows(1000).map((r, i) => ({ ...r, group: `group-${i}` }));
    expect(filteringOptionsFor(many).some((o) => o.propertyKey === "group")).toBe(false);
  });
});
