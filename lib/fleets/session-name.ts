/**
 * The RoleSessionName of Fleet Doctor's assumed roles. CloudTrail in the member account shows it in the
 * assumed-role ARN of every call (`assumed-role/FleetDoctorMember/fleet-doctor-alice@example.com`), so whoever reads
 * the trail sees that Fleet Doctor acted and for whom. STS allows 2 to 64 characters of [\w+=,.@-]: anything else in
 * the user's name becomes `-`, and a long name is cut.
 */
export function sessionName(user?: string): string {
  const who = (user ?? "").trim().replace(/[^\w+=,.@-]/g, "-");
  return (who ? `fleet-doctor-${who}` : "fleet-doctor").slice(0, 64);
}
