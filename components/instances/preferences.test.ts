import { describe, expect, it } from "vitest";
import {
  DEFAULT_PREFERENCES,
  HIDDEN_BY_DEFAULT,
  PREFERENCES_COOKIE,
  parsePreferences,
  preferencesCookie,
} from "./preferences.ts";

const cookieValue = (header: string) => header.slice(`${PREFERENCES_COOKIE}=`.length).split(";")[0];

describe("table preferences cookie", () => {
  it("hides SSM ping and Probed by default (the others fit at 1280 px: e2e/ecs.spec.ts), every column still listed", () => {
    const hidden = DEFAULT_PREFERENCES.contentDisplay.filter((c) => !c.visible).map((c) => c.id);
    expect(hidden).toEqual(["pingStatus", "probedAt"]);
    expect(HIDDEN_BY_DEFAULT).toEqual(hidden);
    expect(DEFAULT_PREFERENCES.contentDisplay.filter((c) => c.visible).map((c) => c.id)).toContain("registered");
  });

  it("round-trips what the preferences dialog confirms", () => {
    const prefs = {
      pageSize: 100,
      stripedRows: true,
      contentDisplay: DEFAULT_PREFERENCES.contentDisplay.map((c) => ({ ...c, visible: c.id !== "probedAt" })),
    };
    const header = preferencesCookie(prefs);
    expect(header).toMatch(/; Path=\/instances; Max-Age=\d+; SameSite=Lax$/);
    expect(parsePreferences(cookieValue(header))).toEqual(prefs);
  });

  it.each([
    ["missing", undefined],
    ["not JSON", "%7Bnope"],
    ["not an object", encodeURIComponent("42")],
  ])("falls back to the defaults when %s", (_what, raw) => {
    expect(parsePreferences(raw)).toEqual(DEFAULT_PREFERENCES);
  });

  it("keeps what is valid and defaults the rest", () => {
    const raw = encodeURIComponent(
      JSON.stringify({
        pageSize: 7,
        stripedRows: "yes",
        contentDisplay: [
          { id: "group", visible: false },
          { id: "group", visible: true },
          { id: "<script>", visible: true },
        ],
      }),
    );
    const p = parsePreferences(raw);
    expect(p.pageSize).toBe(DEFAULT_PREFERENCES.pageSize);
    expect(p.stripedRows).toBe(false);
    expect(p.contentDisplay[0]).toEqual({ id: "group", visible: false });
    expect(p.contentDisplay.map((c) => c.id).sort()).toEqual(
      DEFAULT_PREFERENCES.contentDisplay.map((c) => c.id).sort(),
    );
  });
});
