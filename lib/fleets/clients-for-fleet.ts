import { fromTemporaryCredentials } from "@aws-sdk/credential-providers";
import { type Clients, createClients } from "../aws/clients.ts";
import type { Config } from "../config.ts";
import { describeFleetError, tagHop } from "./fleet-error.ts";
import { sessionName } from "./session-name.ts";
import { type CredentialsProvider, sharedCredentials } from "./shared-credentials.ts";
import type { FleetTarget, RoleHop } from "./types.ts";

type Provider = CredentialsProvider;

export { describeFleetError };

/**
 * The chain of assumed roles as the SDK's providers: each hop's AssumeRole is signed with the previous hop's
 * credentials (the first with the default chain), in the fleet's region, with the hop's ExternalId and a session name
 * that tells CloudTrail readers in the member account that Fleet Doctor acted, for whom.
 */
function roleChain(target: FleetTarget, maxAttempts: number, user: string | undefined): Provider {
  const RoleSessionName = sessionName(user);
  let previous: Provider | undefined;
  target.roles.forEach((hop: RoleHop, index) => {
    const provider = fromTemporaryCredentials({
      params: { RoleArn: hop.roleArn, RoleSessionName, ...(hop.externalId ? { ExternalId: hop.externalId } : {}) },
      ...(previous ? { masterCredentials: previous } : {}),
      clientConfig: { region: target.region, maxAttempts: Math.min(maxAttempts, 3) },
    }) as Provider;
    // Which hop failed is known only here: the error a denied AssumeRole throws names no role we can trust to parse.
    previous = async (props) => {
      try {
        return await provider(props);
      } catch (e) {
        tagHop(e, { index, hop });
        throw e;
      }
    };
  });
  return sharedCredentials(previous!);
}

/** Fleets whose clients are kept (each with its own connections and credentials): more than a console reads at once. */
const MAX_CACHED = 256;
const cache = new Map<string, Clients>();

/**
 * The SDK clients that read one fleet: its region, and (with roles) the credentials of its assumed role chain, with
 * the session named after `user` (the signed-in person; the watcher and autopilot pass their own name). Kept per
 * fleet, session user and chain, so the SDK's credential cache and refresh carry over between scans. A role that
 * cannot be assumed fails the first call of any client (the SDK's AccessDenied): describeFleetError says which.
 */
export function clientsForFleet(
  target: FleetTarget,
  config: Pick<Config, "maxAttempts">,
  opts: { user?: string } = {},
): Clients {
  // Without roles the session name is never sent: one set of clients serves every user.
  const user = target.roles.length > 0 ? sessionName(opts.user) : "";
  const key = JSON.stringify([target.id, user, target.roles, config.maxAttempts]);
  const hit = cache.get(key);
  if (hit) {
    // Most recently used last: the first key is the one to drop.
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const clients = createClients(
    { region: target.region, maxAttempts: config.maxAttempts },
    target.roles.length > 0 ? roleChain(target, config.maxAttempts, opts.user) : undefined,
  );
  cache.set(key, clients);
  // Dropped clients are not destroyed: a scan may still hold them; their idle sockets close on their own.
  while (cache.size > MAX_CACHED) cache.delete(cache.keys().next().value!);
  return clients;
}
