export { currentActor, OIDC_DATA_HEADER, requireRole } from "./actor.ts";
export { clearAlbKeyCache, verifyAlbToken } from "./alb-token.ts";
export { checkOrigin, expectedOrigin } from "./origin.ts";
export { type Actor, hasRole, LOCAL_ACTOR, LOCAL_MODE_BANNER, type Role, roleFor } from "./roles.ts";
