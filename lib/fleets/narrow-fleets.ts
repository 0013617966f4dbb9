import { splitFleetId } from "./fleet-ids.ts";

/**
 * The fleets of a listing: those asked for (`fleets`; none: the fleets in view), kept to an account and a region when
 * given. Narrowed here, by id, so counts that the store keeps per fleet follow the same filters as the listing.
 */
export function narrowFleets(
  inView: readonly string[],
  filter: { fleets?: readonly string[]; account?: string; region?: string },
): string[] {
  const asked = filter.fleets?.length ? [...new Set(filter.fleets)] : [...inView];
  return asked.filter((id) => {
    const { account, region } = splitFleetId(id);
    return (!filter.account || account === filter.account) && (!filter.region || region === filter.region);
  });
}
