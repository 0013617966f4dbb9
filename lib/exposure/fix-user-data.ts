import { gunzipSync, gzipSync } from "node:zlib";
import { CHECK_KEY } from "./ecs-config.ts";
import { readUserDataCheck, type UserDataReading } from "./read-check.ts";
import { unifiedDiff } from "./unified-diff.ts";
import { encodeUserData } from "./user-data.ts";

/** An assignment the agent reads as true; the lookahead keeps `=true` from matching inside `=trueish`. */
const ON = new RegExp(`${CHECK_KEY}=(true|TRUE|True|1|t|T)(?![A-Za-z0-9_])`, "g");
const OFF = `${CHECK_KEY}=false`;

export type FixedUserData = {
  /** The new user data, base64, in the same form as the old (gzip stays gzip, MIME stays MIME). */
  userData: string;
  /** Unified diff of the decoded parts that changed (and of an encoded write_files content, decoded). */
  diff: string;
};

function unquote(src: string, quote: string): string {
  if (!quote) return src.trim();
  const inner = src.trim().slice(1, -1);
  return quote === "'" ? inner.replace(/''/g, "'") : inner.replace(/\\(.)/g, "$1");
}

/**
 * The user data with the deciding assignment turned to false, every other byte and part kept; undefined when the
 * deciding line does not carry a literal true assignment (a variable, an unusual form) or when the result would not
 * read as off. The result is read again with the same reader before it is offered: a fix that does not fix is none.
 */
export function fixUserData(reading: UserDataReading): FixedUserData | undefined {
  const { decoded, deciding } = reading;
  if (!decoded || !deciding || !reading.check.enabled) return undefined;
  const leaf = decoded.leaves.find((l) => l.id === deciding.leafId);
  if (!leaf) return undefined;
  const { edit } = deciding;
  const span = leaf.text.slice(edit.start, edit.end);
  let replacement: string;
  const diffs: string[] = [];
  if (edit.kind === "text") {
    replacement = span.replace(ON, OFF);
  } else {
    const bytes = Buffer.from(unquote(span, edit.quote), "base64");
    const content = (edit.encoding === "gzip+b64" ? gunzipSync(bytes) : bytes).toString("utf8");
    const fixed = content.replace(ON, OFF);
    if (fixed === content) return undefined;
    const raw = Buffer.from(fixed, "utf8");
    const b64 = (edit.encoding === "gzip+b64" ? gzipSync(raw) : raw).toString("base64");
    replacement = `${edit.quote}${b64}${edit.quote}`;
    diffs.push(unifiedDiff(content, fixed, `${deciding.part} /etc/ecs/ecs.config (${edit.encoding}, decoded)`));
  }
  if (replacement === span) return undefined;
  const newText = leaf.text.slice(0, edit.start) + replacement + leaf.text.slice(edit.end);
  const userData = encodeUserData(decoded, new Map([[leaf.id, newText]]));
  const again = readUserDataCheck(userData);
  if (again.check.enabled || again.check.unreadable) return undefined;
  const label = leaf.label === "user data" ? "user-data" : leaf.label.replace(/ /g, "-");
  return { userData, diff: unifiedDiff(leaf.text, newText, label) + diffs.join("") };
}
