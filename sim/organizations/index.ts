/**
 * AWS Organizations (awsJson1_1, target prefix AWSOrganizationsV20161128), read-only: the accounts, roots and OUs
 * of the scenario's organization. Only its management account may call them, as in a real organization without
 * a delegated administrator.
 */
import type { Directory, DirectoryAccount } from "../fleet-types.ts";
import type { Caller } from "../protocol/caller.ts";
import { AwsError } from "../protocol/errors.ts";
import { type Body, optInt, optString } from "../protocol/input.ts";
import { page, readToken } from "../protocol/paging.ts";

export const ORGANIZATIONS_TARGET_PREFIX = "AWSOrganizationsV20161128";

export type OrganizationsContext = { caller: Caller; directory?: Directory };
type Org = NonNullable<Directory["organization"]>;

/** InvalidInputException carries a Reason, as the real service's does. */
class InvalidInput extends AwsError {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super("InvalidInputException", message);
  }
}

function orgOf(ctx: OrganizationsContext): { org: Org; directory: Directory } {
  const directory = ctx.directory;
  const org = directory?.organization;
  if (!directory || !org)
    throw new AwsError("AWSOrganizationsNotInUseException", "Your account is not a member of an organization.");
  if (!directory.accounts.has(ctx.caller.account))
    throw new AwsError("AWSOrganizationsNotInUseException", "Your account is not a member of an organization.");
  if (ctx.caller.account !== directory.account)
    throw new AwsError("AccessDeniedException", "You don't have permissions to access this resource.");
  return { org, directory };
}

/** MaxResults 1..20 and NextToken, for every List call of Organizations. */
function paged<T>(body: Body, items: T[], query: unknown): { items: T[]; nextToken?: string } {
  const max = optInt(body, "MaxResults");
  if (max !== undefined && max < 1)
    throw new InvalidInput("MIN_VALUE_EXCEEDED", "You provided a value that is too small.");
  if (max !== undefined && max > 20)
    throw new InvalidInput("MAX_VALUE_EXCEEDED", "You provided a value that is too large.");
  let offset: number;
  try {
    offset = readToken(optString(body, "NextToken"), query);
  } catch {
    throw new InvalidInput("INVALID_NEXT_TOKEN", "You specified an invalid value for nextToken.");
  }
  return page(items, offset, max ?? 20, query);
}

const epoch = (d: Date) => Math.floor(d.getTime() / 1000);

function accountJson(a: DirectoryAccount, org: Org, management: string) {
  return {
    Id: a.id,
    Arn: `arn:aws:organizations::${management}:account/${org.id}/${a.id}`,
    Email: a.email,
    Name: a.name,
    Status: "ACTIVE",
    State: "ACTIVE",
    JoinedMethod: a.id === management ? "CREATED" : "INVITED",
    JoinedTimestamp: epoch(a.joinedAt),
  };
}

function parentOr404(org: Org, parentId: string | undefined): string {
  if (parentId === undefined) throw new InvalidInput("INVALID_INPUT", "You must specify a value for ParentId.");
  if (!/^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{4,32})$/.test(parentId))
    throw new InvalidInput("INVALID_PATTERN", "You specified a value that doesn't match the required pattern.");
  if (parentId !== org.rootId && !org.units.some((u) => u.id === parentId))
    throw new AwsError("ParentNotFoundException", "We can't find a root or OU with the ParentId that you specified.");
  return parentId;
}

export const ORGANIZATIONS_OPERATIONS: Record<string, (body: Body, ctx: OrganizationsContext) => unknown> = {
  ListAccounts(body, ctx) {
    const { org, directory } = orgOf(ctx);
    const all = [...directory.accounts.values()].map((a) => accountJson(a, org, directory.account));
    const { items, nextToken } = paged(body, all, { op: "ListAccounts" });
    return { Accounts: items, NextToken: nextToken };
  },
  ListAccountsForParent(body, ctx) {
    const { org, directory } = orgOf(ctx);
    const parent = parentOr404(org, optString(body, "ParentId"));
    const all = [...directory.accounts.values()]
      .filter((a) => a.parent === parent)
      .map((a) => accountJson(a, org, directory.account));
    const { items, nextToken } = paged(body, all, { op: "ListAccountsForParent", parent });
    return { Accounts: items, NextToken: nextToken };
  },
  ListOrganizationalUnitsForParent(body, ctx) {
    const { org, directory } = orgOf(ctx);
    const parent = parentOr404(org, optString(body, "ParentId"));
    const all = org.units
      .filter((u) => u.parent === parent)
      .map((u) => ({
        Id: u.id,
        Arn: `arn:aws:organizations::${directory.account}:ou/${org.id}/${u.id}`,
        Name: u.name,
      }));
    const { items, nextToken } = paged(body, all, { op: "ListOrganizationalUnitsForParent", parent });
    return { OrganizationalUnits: items, NextToken: nextToken };
  },
  ListRoots(body, ctx) {
    const { org, directory } = orgOf(ctx);
    const roots = [
      {
        Id: org.rootId,
        Arn: `arn:aws:organizations::${directory.account}:root/${org.id}/${org.rootId}`,
        Name: "Root",
        PolicyTypes: [],
      },
    ];
    const { items, nextToken } = paged(body, roots, { op: "ListRoots" });
    return { Roots: items, NextToken: nextToken };
  },
};

/** The extra members of an error's JSON body (Reason of InvalidInputException). */
export function organizationsErrorExtra(e: AwsError): Record<string, string> | undefined {
  return e instanceof InvalidInput ? { Reason: e.reason } : undefined;
}
