import { z } from "zod";
import { INSTANCE_ID } from "../aws/ids.ts";
import { FleetDoctorError } from "../errors.ts";

/**
 * The one decoding step for ids in paths: a route param or page param, percent-decoded at most once, checked
 * against the id's form. A malformed escape or id is a 400 naming the field (routes) or undefined (pages, which
 * answer 404); nothing unchecked reaches the store or AWS.
 */
export type IdKind = "instance" | "scan" | "action" | "sweep";

const UUID = z.uuid();
const FORMS: Record<IdKind, { test: (s: string) => boolean; what: string }> = {
  instance: { test: (s) => INSTANCE_ID.test(s), what: "an instance id (i-… or mi-…)" },
  scan: { test: (s) => UUID.safeParse(s).success, what: "a scan id (a UUID)" },
  action: { test: (s) => UUID.safeParse(s).success, what: "an action id (a UUID)" },
  sweep: { test: (s) => UUID.safeParse(s).success, what: "a sweep id (a UUID)" },
};

/** The id, or undefined when the text is not a well-formed id of this kind. */
export function parseId(kind: IdKind, raw: unknown): string | undefined {
  if (typeof raw !== "string" || raw.length > 200) return undefined;
  let id = raw;
  if (id.includes("%")) {
    try {
      id = decodeURIComponent(id);
    } catch {
      return undefined;
    }
  }
  return FORMS[kind].test(id) ? id : undefined;
}

/** The id of a route's `[id]` param; BAD_REQUEST naming `id` when it is malformed. */
export async function idParam(kind: IdKind, ctx: { params: Promise<{ id: string }> }): Promise<string> {
  const { id: raw } = await ctx.params;
  const id = parseId(kind, raw);
  if (id === undefined) {
    throw new FleetDoctorError("BAD_REQUEST", `id: must be ${FORMS[kind].what}`, { field: "id" });
  }
  return id;
}
