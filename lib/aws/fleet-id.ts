/**
 * The form of a fleet id, `<account>/<region>` (lib/aws/fleet.ts): a 12-digit account, or the endpoint's host when
 * the endpoint has no STS (host[:port]); a region of lowercase letters, digits and dashes. What a URL, a query or a
 * flag gives as a fleet is checked against it before it reaches the store.
 */
export const FLEET_ID = /^[A-Za-z0-9][A-Za-z0-9.:_-]{0,252}\/[a-z0-9][a-z0-9-]{0,31}$/;

export const isFleetId = (s: unknown): boolean => typeof s === "string" && FLEET_ID.test(s);
