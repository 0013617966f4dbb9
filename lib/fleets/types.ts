/**
 * Fleets from configuration (issue 19): which accounts and regions Fleet Doctor reads, and how it gets into each.
 * A fleet is one account in one region; its id `<account>/<region>` is what scans, results, actions, policies and the
 * audit are stored under (lib/aws/fleet.ts).
 */

/** One role to assume; a chain assumes each in turn with the credentials the previous one gave. */
export type RoleHop = { roleArn: string; externalId?: string };

/** One account of the fleets file, with its regions expanded (`all` resolved) and its roles. */
export type FleetTarget = {
  /** `<account>/<region>` */
  id: string;
  /** 12 digits. */
  account: string;
  region: string;
  /** The account's name (the file's `name`, or Organizations' account name). */
  name?: string;
  /** Roles to assume in order from the default credentials; empty: the default credentials themselves. */
  roles: RoleHop[];
};

/** A fleet that could not be resolved or entered, reported for that fleet only (never failing the others). */
export type FleetError = { fleet: string; account: string; region: string; code: string; message: string };
