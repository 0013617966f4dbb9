import type { FleetCredentials } from "../aws/clients.ts";

/** A credentials provider as the SDK's clients take it (fromTemporaryCredentials returns one). */
export type CredentialsProvider = Extract<FleetCredentials, (...args: never[]) => unknown>;
type Identity = Awaited<ReturnType<CredentialsProvider>>;

/**
 * Assumed-role credentials are refreshed this long before they expire, as the SDK's own clients do (5 minutes), so a
 * call never goes out signed with credentials that run out in flight.
 */
const REFRESH_BEFORE_MS = 5 * 60_000;

/**
 * One provider shared by the three clients of a fleet: each SDK client memoizes its credentials on its own, so
 * without this the SSM, Auto Scaling and ECS clients would each call AssumeRole. A failure is not kept: the next
 * call asks STS again (a role fixed in the member account works without a restart).
 */
export function sharedCredentials(provider: CredentialsProvider): CredentialsProvider {
  let current: Promise<Identity> | undefined;
  return async (props) => {
    const held = current;
    if (held) {
      try {
        const identity = await held;
        const expiresAt = identity.expiration?.getTime();
        if (expiresAt === undefined || expiresAt - Date.now() > REFRESH_BEFORE_MS) return identity;
      } catch {
        // the last attempt failed: ask again below
      }
      // Another caller already started the refresh while this one waited: share it.
      if (current && current !== held) return current;
    }
    const next = provider(props);
    current = next;
    next.catch(() => {
      if (current === next) current = undefined;
    });
    return next;
  };
}
