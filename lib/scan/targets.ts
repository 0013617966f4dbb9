import { z } from "zod";
import { INSTANCE_ID } from "../aws/ids.ts";
import type { Targets } from "./types.ts";

// No control characters in names that end up in API filters and in the dashboard.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point here.
const printable = /^[^\u0000-\u001f\u007f]*$/;

/** The wire shape of scan targets, validated before any AWS call (POST /api/scans, the CLI). */
export const targetsSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("all") }).strict(),
  z
    .object({
      kind: z.literal("tag"),
      key: z.string().min(1).max(128).regex(printable, "must not contain control characters"),
      value: z.string().max(256).regex(printable, "must not contain control characters"),
    })
    .strict(),
  z
    .object({
      kind: z.literal("group"),
      name: z.string().min(1).max(255).regex(printable, "must not contain control characters"),
    })
    .strict(),
  z
    .object({
      kind: z.literal("ids"),
      ids: z.array(z.string().regex(INSTANCE_ID, "must be an instance id (i-… or mi-…)")).min(1).max(10_000),
    })
    .strict(),
]) satisfies z.ZodType<Targets>;

/** A canonical string for "the same targets" (409 on a second scan over them): ids sorted and de-duplicated. */
export function targetKey(t: Targets): string {
  switch (t.kind) {
    case "all":
      return "all";
    case "tag":
      return `tag:${JSON.stringify([t.key, t.value])}`;
    case "group":
      return `group:${JSON.stringify(t.name)}`;
    case "ids":
      return `ids:${[...new Set(t.ids)].sort().join(",")}`;
  }
}
