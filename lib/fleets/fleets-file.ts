/**
 * The fleets file (FLEET_DOCTOR_FLEETS): which accounts and regions Fleet Doctor reads and which roles it assumes to
 * read them, modelled on c7n-org's accounts file. Read and validated once at start (lib/config.ts), so a wrong entry
 * stops the program with a message naming it (`fleets.yaml: accounts[2].regions[1]: "us-eest-1" is not a region
 * name`); Organizations and `regions: all` are resolved later, by listFleets.
 *
 * ```yaml
 * defaults: { role: FleetDoctorMember, regions: [us-east-1, eu-west-1] }
 * accounts:
 *   - { account_id: "111111111111", name: prod, external_id: fleet-doctor-demo }
 *   - account_id: "222222222222"
 *     roles: [arn:aws:iam::444444444444:role/Jump, { role: FleetDoctorMember, external_id: x }]
 *     regions: all
 * organization: { role: FleetDoctorMember, ous: [ou-root-workloads], exclude: ["123456789012"], regions: all }
 * ```
 * Messages never carry an external id or a line of the file (it may hold one): only entries, keys and the values of
 * account ids, roles and regions.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { parseDocument } from "yaml";
import { z } from "zod";
import { FleetDoctorError } from "../errors.ts";

/** A role as the file names it: a role ARN, or a role name expanded to the ARN in the fleet's account. */
export type RoleRef = { role: string; externalId?: string };

/** One account of the file, with defaults applied. */
export type AccountEntry = {
  /** Where it is in the file (`accounts[2]`), for messages. */
  entry: string;
  account: string;
  name?: string;
  /** Roles to assume in order; empty: the default credentials read the account. */
  roles: RoleRef[];
  regions: string[] | "all";
};

/** Accounts discovered through AWS Organizations, each entered through `role` (a role name in every account). */
export type OrganizationEntry = {
  role: string;
  externalId?: string;
  /** Only the accounts directly in these OUs; empty: every account of the organization. */
  ous: string[];
  exclude: string[];
  regions: string[] | "all";
};

export type FleetsSpec = { file: string; accounts: AccountEntry[]; organization?: OrganizationEntry };

const ACCOUNT = /^\d{12}$/;
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
const ROLE_ARN = /^arn:aws(-[a-z]+)*:iam::\d{12}:role\/([\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;
/**
 * A region name by its shape (`us-east-1`, `us-gov-west-1`, `eusc-de-east-1`), the direction spelled out, so a typo
 * such as `us-eest-1` is caught at start while a region AWS opens next year still passes.
 */
const REGION =
  /^[a-z]{2,4}(-[a-z]{2,5})?-(north|south|east|west|central|northeast|northwest|southeast|southwest)-\d{1,2}$/;
/** STS ExternalId: 2 to 1224 characters of [\w+=,.@:/-]. */
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;
const OU = /^ou-[0-9a-z]+-[0-9a-z]+$/;

const show = (v: unknown) => JSON.stringify(v);

/** YAML reads an unquoted 12-digit id as a number, and one with a leading zero loses it: say so. */
const accountId = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const s = String(v);
  if (ACCOUNT.test(s)) return s;
  ctx.addIssue({
    code: "custom",
    message:
      typeof v === "number"
        ? `${s} is not a 12-digit account id (quote account ids: YAML drops a leading zero of a number)`
        : `${show(v)} is not a 12-digit account id`,
  });
  return z.NEVER;
});
const roleRef = z
  .string()
  .refine((s) => ROLE_ARN.test(s) || ROLE_NAME.test(s), { error: (i) => `${show(i.input)} is not a role ARN or name` });
const externalId = z
  .string()
  .refine((s) => EXTERNAL_ID.test(s), "must be 2 to 1224 characters of letters, digits and _+=,.@:/-");
const region = z.string().refine((s) => REGION.test(s), { error: (i) => `${show(i.input)} is not a region name` });
const regions = z.union([z.literal("all"), z.array(region).min(1, "list at least one region, or say all")], {
  error: "expected a list of region names, or all",
});
const hop = z.union([roleRef, z.strictObject({ role: roleRef, external_id: externalId.optional() })], {
  error: "expected a role (ARN or name), or { role, external_id }",
});

const accountSchema = z.strictObject({
  account_id: accountId,
  name: z.string().min(1).max(128).optional(),
  role: roleRef.optional(),
  roles: z.array(hop).min(1, "list at least one role").optional(),
  external_id: externalId.optional(),
  regions: regions.optional(),
});

const fileSchema = z.strictObject({
  defaults: z
    .strictObject({ role: roleRef.optional(), external_id: externalId.optional(), regions: regions.optional() })
    .optional(),
  accounts: z.array(accountSchema).optional(),
  organization: z
    .strictObject({
      role: z
        .string()
        .refine((s) => ROLE_NAME.test(s), { error: (i) => `${show(i.input)} is not a role name` })
        .optional(),
      external_id: externalId.optional(),
      ous: z
        .array(z.string().refine((s) => OU.test(s), { error: (i) => `${show(i.input)} is not an OU id (ou-...)` }))
        .optional(),
      exclude: z.array(accountId).optional(),
      regions: regions.optional(),
    })
    .optional(),
});

type Issue = { path: PropertyKey[]; message: string };

function where(p: PropertyKey[]): string {
  return p.map((k, i) => (typeof k === "number" ? `[${k}]` : `${i === 0 ? "" : "."}${String(k)}`)).join("");
}

function bad(file: string, issues: Issue[]): FleetDoctorError {
  const lines = issues.slice(0, 5).map((i) => (i.path.length ? `${where(i.path)}: ${i.message}` : i.message));
  const more = issues.length > 5 ? `; and ${issues.length - 5} more` : "";
  return new FleetDoctorError("BAD_REQUEST", `${file}: ${lines.join("; ")}${more}`, {
    file,
    entry: issues[0] ? where(issues[0].path) : "",
  });
}

/** Zod's issues in the file's words: unknown keys named, a missing key "required". */
function issuesOf(error: z.ZodError): Issue[] {
  return error.issues.map((i) => {
    if (i.code === "unrecognized_keys") return { path: i.path, message: `unknown key ${i.keys.map(show).join(", ")}` };
    if (i.code === "invalid_type" && i.message.includes("received undefined"))
      return { path: i.path, message: "required" };
    return { path: i.path, message: i.message };
  });
}

/** The file's text as data: JSON by extension or a leading `{`, YAML otherwise. Syntax errors by line, never the text. */
function parseText(text: string, file: string): unknown {
  const json = file.toLowerCase().endsWith(".json") || /^\s*\{/.test(text);
  if (json) {
    try {
      return JSON.parse(text);
    } catch (e) {
      // V8 quotes the text around the error: keep only where it is.
      const at = /position (\d+)/.exec((e as Error).message)?.[1];
      const line = at === undefined ? undefined : text.slice(0, Number(at)).split("\n").length;
      throw bad(file, [{ path: [], message: `not valid JSON${line ? ` (line ${line})` : ""}` }]);
    }
  }
  const doc = parseDocument(text);
  const error = doc.errors[0];
  if (error) {
    // The message of the yaml package ends with an excerpt of the file: keep its first sentence and the line.
    const what = error.message.split(/ at line \d+/)[0]!.split("\n")[0];
    const line = error.linePos?.[0]?.line;
    throw bad(file, [{ path: [], message: `not valid YAML${line ? ` (line ${line})` : ""}: ${what}` }]);
  }
  return doc.toJS();
}

/**
 * The fleets file's text, validated, with defaults applied. `file` is its name in messages (and, by its extension,
 * says JSON). Throws a FleetDoctorError (BAD_REQUEST) naming the file and the bad entry.
 */
export function parseFleetsFile(text: string, file: string): FleetsSpec {
  const parsed = fileSchema.safeParse(parseText(text, file) ?? {});
  if (!parsed.success) throw bad(file, issuesOf(parsed.error));
  const { defaults = {}, accounts = [], organization } = parsed.data;
  const issues: Issue[] = [];
  if (accounts.length === 0 && !organization) {
    issues.push({ path: [], message: "list accounts, or an organization to discover them from" });
  }
  const seen = new Map<string, number>();
  const entries = accounts.map((a, i): AccountEntry => {
    const first = seen.get(a.account_id);
    if (first !== undefined) {
      issues.push({ path: ["accounts", i, "account_id"], message: `${a.account_id} is also accounts[${first}]` });
    } else seen.set(a.account_id, i);
    if (a.role && a.roles) issues.push({ path: ["accounts", i], message: "give role or roles (a chain), not both" });
    const chain: RoleRef[] = (a.roles ?? (a.role ? [a.role] : defaults.role ? [defaults.role] : [])).map((h) =>
      typeof h === "string" ? { role: h } : { role: h.role, ...(h.external_id ? { externalId: h.external_id } : {}) },
    );
    // The account's (or the defaults') external id is for the role that requires it: the last of the chain.
    const last = chain.at(-1);
    const outer = a.external_id ?? defaults.external_id;
    if (last && !last.externalId && outer) last.externalId = outer;
    if (!last && a.external_id) {
      issues.push({ path: ["accounts", i, "external_id"], message: "goes with a role (here or in defaults.role)" });
    }
    const r = a.regions ?? defaults.regions;
    if (!r) issues.push({ path: ["accounts", i, "regions"], message: "required (here or in defaults.regions)" });
    return {
      entry: `accounts[${i}]`,
      account: a.account_id,
      ...(a.name ? { name: a.name } : {}),
      roles: chain,
      regions: r ?? [],
    };
  });
  let org: OrganizationEntry | undefined;
  if (organization) {
    const role = organization.role ?? (defaults.role && ROLE_NAME.test(defaults.role) ? defaults.role : undefined);
    if (!role)
      issues.push({ path: ["organization", "role"], message: "required (a role name, here or in defaults.role)" });
    const r = organization.regions ?? defaults.regions;
    if (!r) issues.push({ path: ["organization", "regions"], message: "required (here or in defaults.regions)" });
    const externalId = organization.external_id ?? defaults.external_id;
    org = {
      role: role ?? "",
      ...(externalId ? { externalId } : {}),
      ous: organization.ous ?? [],
      exclude: organization.exclude ?? [],
      regions: r ?? [],
    };
  }
  if (issues.length > 0) throw bad(file, issues);
  return { file, accounts: entries, ...(org ? { organization: org } : {}) };
}

/** Reads and validates the fleets file at `filePath` (messages name it by its base name). */
export function readFleetsFile(filePath: string): FleetsSpec {
  const file = path.basename(filePath);
  let text: string;
  try {
    text = readFileSync(filePath, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new FleetDoctorError(
      "BAD_REQUEST",
      `${filePath}: ${code === "ENOENT" ? "no such file" : `cannot be read (${code ?? "error"})`}`,
      { file },
    );
  }
  return parseFleetsFile(text, file);
}

/** A role of the file as an ARN: a name is the role of that name in the fleet's account (and partition). */
export function roleArn(role: string, account: string, region: string): string {
  if (role.startsWith("arn:")) return role;
  const partition = region.startsWith("cn-") ? "aws-cn" : region.startsWith("us-gov-") ? "aws-us-gov" : "aws";
  return `arn:${partition}:iam::${account}:role/${role}`;
}
