/**
 * Cloudscape's styles as one stylesheet instead of one per component.
 *
 * Every Cloudscape component imports its own CSS (`styles.css.js` imports `./styles.scoped.css`), and neither
 * Turbopack nor webpack merges those ordered modules: /instances needed 48 stylesheets (1.2 MB), which queue on the
 * browser's six connections before the first paint. This Turbopack loader, wired twice in next.config.ts, changes
 * that: with `mode: "omit"` it empties each component's CSS module, and with `mode: "combine"` it fills the
 * stylesheet the root layout imports (app/cloudscape.css) with the CSS of every component in the installed package,
 * its theme first. Measured on /instances with 10,000 instances, 12 first visits (empty cache) to each build,
 * interleaved: the first row was painted at 1,133 ms median (941-1,319 ms middle half) against 1,395 ms
 * (1,317-1,506 ms). Both figures include Chrome starting its own UI renderer for each new context, which the
 * benchmark has since learnt to wait out (bench/ui.ts); the difference between them is the stylesheets'.
 *
 * Every component's styles are included, used or not (1.66 MB before minifying, about 1.37 MB after): a component the
 * app starts to use is always styled, and the one stylesheet is cached for every page. Cloudscape's rules carry their
 * own hashed classes and raised specificity, so their order between components does not decide the cascade (the
 * bundlers' own CSS chunking reorders them too). If a Cloudscape release moves its CSS elsewhere, `omit` stops
 * matching and the per-component sheets come back (slower, still styled); e2e checks the page loads few sheets.
 */
const { readdirSync, readFileSync } = require("node:fs");
const path = require("node:path");

const PACKAGE = path.dirname(require.resolve("@cloudscape-design/components/package.json"));
// Design tokens and base styles that every component's CSS refers to.
const FIRST = ["internal/base-theme/styles.scoped.css", "internal/base-component/styles.scoped.css"];

/** Paths (relative to the package) of every component stylesheet, the base ones first, the rest in path order. */
function componentSheets() {
  const found = [];
  const walk = (dir) => {
    for (const entry of readdirSync(path.join(PACKAGE, dir), { withFileTypes: true })) {
      const rel = dir ? `${dir}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(rel);
      else if (entry.name.endsWith(".scoped.css")) found.push(rel);
    }
  };
  walk("");
  const first = FIRST.filter((f) => found.includes(f));
  return [...first, ...found.filter((f) => !first.includes(f)).sort()];
}

/** Loader for app/cloudscape.css: its own text is a placeholder; the output is every component's CSS. */
function combine() {
  return componentSheets()
    .map((rel) => `/* ${rel} */\n${readFileSync(path.join(PACKAGE, rel), "utf8")}`)
    .join("\n");
}

/** Loader for each Cloudscape `*.scoped.css`: an empty module, since its rules are in the combined stylesheet. */
function omit() {
  return "export {};\n";
}

/** The loader: `this.getOptions().mode` says which of the two files it is given. */
function cloudscapeCss() {
  const { mode } = this.getOptions();
  if (mode === "combine") return combine();
  if (mode === "omit") return omit();
  throw new Error(`cloudscape-css: unknown mode ${JSON.stringify(mode)}`);
}

module.exports = Object.assign(cloudscapeCss, { PACKAGE, componentSheets, combine, omit });
