import {
  type Account,
  OrganizationsClient,
  paginateListAccounts,
  paginateListAccountsForParent,
} from "@aws-sdk/client-organizations";
import type { Config } from "../config.ts";

export type OrganizationAccount = { account: string; name?: string };

/**
 * The active accounts of the organization (ListAccounts), or of the given OUs (ListAccountsForParent: the accounts
 * directly in each OU), read with the default credentials, which must be the management account's or a delegated
 * administrator's. Suspended and closing accounts are left out: their roles can no longer be assumed.
 */
export async function organizationAccounts(
  ous: string[],
  config: Pick<Config, "region" | "maxAttempts">,
): Promise<OrganizationAccount[]> {
  const client = new OrganizationsClient({ region: config.region, maxAttempts: config.maxAttempts });
  try {
    const found = new Map<string, OrganizationAccount>();
    const take = (accounts: Account[] | undefined) => {
      for (const a of accounts ?? []) {
        const state = a.State ?? a.Status;
        if (!a.Id || (state && state !== "ACTIVE")) continue;
        found.set(a.Id, { account: a.Id, ...(a.Name ? { name: a.Name } : {}) });
      }
    };
    if (ous.length === 0) {
      for await (const page of paginateListAccounts({ client }, {})) take(page.Accounts);
    } else {
      for (const ou of ous) {
        for await (const page of paginateListAccountsForParent({ client }, { ParentId: ou })) take(page.Accounts);
      }
    }
    return [...found.values()];
  } finally {
    client.destroy();
  }
}
