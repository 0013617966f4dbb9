import { describe, expect, it } from "vitest";
import { parseTableView, tableViewToSearch } from "./url-state.ts";

describe("instances table URL state", () => {
  it("reads a verdict link from the overview as one equality token", () => {
    const v = parseTableView(new URLSearchParams("verdict=lifecycle-404:ready"));
    expect(v.query).toEqual({
      operation: "and",
      tokens: [{ propertyKey: "verdict", operator: "=", value: "lifecycle-404:ready" }],
    });
    expect(v.page).toBe(1);
  });

  it("round-trips filters, negation, free text, sort, page and the opened instance", () => {
    const search =
      "?verdict=lifecycle-404%3Aready&group=%21web&q=i-0ab&op=or&sort=probedAt&desc=1&page=3&selected=i-0123456789abcdef0";
    const view = parseTableView(new URLSearchParams(search));
    expect(view.query.tokens).toEqual([
      { propertyKey: "verdict", operator: "=", value: "lifecycle-404:ready" },
      { propertyKey: "group", operator: "!=", value: "web" },
      { operator: ":", value: "i-0ab" },
    ]);
    expect(view).toMatchObject({ sortKey: "probedAt", desc: true, page: 3, selected: "i-0123456789abcdef0" });
    expect(parseTableView(new URLSearchParams(tableViewToSearch(view)))).toEqual(view);
  });

  it("keeps the gone instances' view (include=gone) in the link, and leaves it out by default", () => {
    const view = parseTableView(new URLSearchParams("include=gone&verdict=healthy"));
    expect(view.includeGone).toBe(true);
    expect(tableViewToSearch(view)).toBe("?verdict=healthy&include=gone");
    expect(parseTableView(new URLSearchParams("include=everything")).includeGone).toBeUndefined();
    expect(tableViewToSearch(parseTableView(new URLSearchParams("verdict=healthy")))).toBe("?verdict=healthy");
  });

  it("keeps the picked fleet and the account and region filters in the link", () => {
    const view = parseTableView(
      new URLSearchParams("fleet=111111111111%2Fus-east-1&account=222222222222&region=%21eu-west-1"),
    );
    expect(view.fleet).toBe("111111111111/us-east-1");
    expect(view.query.tokens).toEqual([
      { propertyKey: "account", operator: "=", value: "222222222222" },
      { propertyKey: "region", operator: "!=", value: "eu-west-1" },
    ]);
    expect(tableViewToSearch(view)).toBe("?fleet=111111111111%2Fus-east-1&account=222222222222&region=%21eu-west-1");
    expect(parseTableView(new URLSearchParams("fleet=all")).fleet).toBeUndefined();
    expect(parseTableView(new URLSearchParams("fleet=nope")).fleet).toBeUndefined();
  });

  it("accepts Next.js searchParams objects with repeated keys", () => {
    const v = parseTableView({ verdict: ["healthy", "at-risk"], page: "2" });
    expect(v.query.tokens.map((t) => t.value)).toEqual(["healthy", "at-risk"]);
    expect(v.page).toBe(2);
  });

  it("ignores what it does not know and clamps nonsense", () => {
    const v = parseTableView(new URLSearchParams("sort=evil&page=-4&color=red&verdict="));
    expect(v).toEqual({
      query: { tokens: [], operation: "and" },
      sortKey: undefined,
      desc: false,
      page: 1,
      selected: undefined,
    });
    expect(tableViewToSearch(v)).toBe("");
  });
});
