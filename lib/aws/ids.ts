import { FleetDoctorError } from "../errors.ts";

/** EC2 instance ids (8 or 17 hex digits) and SSM hybrid managed-instance ids, as SendCommand accepts them. */
export const INSTANCE_ID = /^(i-[0-9a-f]{8}([0-9a-f]{9})?|mi-[0-9a-f]{17})$/;

export function isInstanceId(s: string): boolean {
  return INSTANCE_ID.test(s);
}

/** Throws BAD_REQUEST naming the first malformed id: nothing unvalidated reaches an AWS call. */
export function assertInstanceIds(ids: readonly string[], field = "ids"): void {
  const bad = ids.findIndex((id) => !isInstanceId(id));
  if (bad >= 0) {
    throw new FleetDoctorError("BAD_REQUEST", `${field}[${bad}] is not an instance id (i-… or mi-…)`, {
      field: `${field}[${bad}]`,
    });
  }
}
