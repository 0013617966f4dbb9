/**
 * The shapes of fleet ids, accounts and regions as requests, URLs and flags carry them, and the `?fleet=` parameter
 * that selects the fleets a page shows. Pure (no server code): the browser's fleet picker and links use it too.
 */

/** The URL parameter of the fleet picker; absent or `all` means every fleet. */
export const FLEET_PARAM = "fleet";
export const ALL_FLEETS = "all";

const ACCOUNT = /^\d{12}$/;
// us-east-1, eu-west-1, us-gov-west-1, ap-southeast-4, cn-north-1
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
// A fleet named by its endpoint (the endpoint answers no STS: lib/aws/fleet.ts) is `<host[:port]>/<region>`.
const ENDPOINT_ACCOUNT = /^[A-Za-z0-9][A-Za-z0-9.:_-]{0,252}$/;

export const isAccountId = (s: string): boolean => ACCOUNT.test(s);
export const isRegionName = (s: string): boolean => REGION.test(s);

/** What a request, URL or flag is told when its fleet id is malformed. */
export const FLEET_ID_MESSAGE = "must be a fleet id, <account>/<region> (e.g. 111111111111/us-east-1)";

/** `<account>/<region>`: a 12-digit account (or the endpoint a fleet without STS is named by) and a region. */
export function isFleetId(s: string): boolean {
  if (s.length > 300) return false;
  const slash = s.lastIndexOf("/");
  if (slash <= 0) return false;
  const account = s.slice(0, slash);
  // Digits alone are an account id, so exactly 12 of them; an endpoint's name has a letter, a dot or a colon.
  const accountOk = /^\d+$/.test(account) ? isAccountId(account) : ENDPOINT_ACCOUNT.test(account);
  return accountOk && isRegionName(s.slice(slash + 1));
}

/** The account and region of a fleet id (as lib/aws/fleet.ts builds it). */
export function splitFleetId(id: string): { account: string; region: string } {
  const slash = id.lastIndexOf("/");
  return { account: id.slice(0, slash), region: id.slice(slash + 1) };
}

/** The fleet a page's `?fleet=` names: one fleet id, or undefined for every fleet (absent, `all` or malformed). */
export function selectedFleet(value: string | string[] | null | undefined): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v || v === ALL_FLEETS) return undefined;
  return isFleetId(v) ? v : undefined;
}

/** `href` with the selected fleet kept (or left out for every fleet), so a link between pages keeps the picker's choice. */
export function withFleet(href: string, fleet: string | undefined): string {
  if (!fleet) return href;
  const [path, hash = ""] = href.split("#", 2);
  const sep = path!.includes("?") ? "&" : "?";
  return `${path}${sep}${FLEET_PARAM}=${encodeURIComponent(fleet)}${hash ? `#${hash}` : ""}`;
}
