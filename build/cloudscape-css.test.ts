import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
// @ts-expect-error: a CommonJS build script without types.
import cloudscapeCss from "./cloudscape-css.cjs";

type Loader = ((this: { getOptions(): { mode?: string } }) => string) & {
  PACKAGE: string;
  componentSheets(): string[];
  combine(): string;
};
const loader = cloudscapeCss as Loader;
const { PACKAGE, componentSheets, combine } = loader;
const run = (mode?: string) => loader.call({ getOptions: () => ({ mode }) });

function everySheet(dir = ""): string[] {
  return readdirSync(path.join(PACKAGE, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = dir ? `${dir}/${e.name}` : e.name;
    if (e.isDirectory()) return everySheet(rel);
    return e.name.endsWith(".scoped.css") ? [rel] : [];
  });
}

describe("Cloudscape's CSS in one stylesheet", () => {
  it("lists every component stylesheet of the installed package once, the theme and base styles first", () => {
    const listed = componentSheets();
    expect(new Set(listed).size).toBe(listed.length);
    expect([...listed].sort()).toEqual(everySheet().sort());
    expect(listed.slice(0, 2)).toEqual([
      "internal/base-theme/styles.scoped.css",
      "internal/base-component/styles.scoped.css",
    ]);
    expect(listed).toContain("table/styles.scoped.css");
  });

  it("combines their rules in that order", () => {
    const css = combine();
    const table = readFileSync(path.join(PACKAGE, "table/styles.scoped.css"), "utf8");
    expect(css).toContain(table);
    expect(css.indexOf("/* internal/base-theme/styles.scoped.css */")).toBe(0);
    expect(css.indexOf("/* table/styles.scoped.css */")).toBeGreaterThan(
      css.indexOf("/* internal/base-component/styles.scoped.css */"),
    );
  });

  it("as a loader, empties a component's CSS module or fills the combined sheet, as its options say", () => {
    expect(run("omit")).toBe("export {};\n");
    expect(run("combine")).toBe(combine());
    expect(() => run("other")).toThrow(/unknown mode "other"/);
    expect(() => run()).toThrow(/unknown mode/);
  });
});
