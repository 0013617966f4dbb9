/**
 * The credentials the simulator's STS issued (AssumeRole): an access key id (ASIA...) names a session of a role in
 * one account, so every later request signed with it is answered by that account's fleets. Keys the simulator did
 * not issue belong to the default account.
 */
import { randomBytes } from "node:crypto";

export type Session = {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  account: string;
  roleName: string;
  roleArn: string;
  roleId: string;
  sessionName: string;
  expiresAt: Date;
  /** The session's own ARN: arn:aws:sts::<account>:assumed-role/<role>/<session>. */
  arn: string;
  /** True when a role session assumed this one (role chaining caps it at one hour). */
  chained: boolean;
};

const KEY_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

function keyId(): string {
  const bytes = randomBytes(16);
  let out = "ASIA";
  for (const b of bytes) out += KEY_CHARS[b % KEY_CHARS.length];
  return out;
}

export class Sessions {
  private byKey = new Map<string, Session>();

  constructor(private readonly max = 10_000) {}

  issue(s: Omit<Session, "accessKeyId" | "secretAccessKey" | "sessionToken" | "arn">): Session {
    const session: Session = {
      ...s,
      accessKeyId: keyId(),
      secretAccessKey: randomBytes(30).toString("base64"),
      sessionToken: `IQoJb3JpZ2luX2VjE${randomBytes(180).toString("base64")}`,
      arn: `arn:aws:sts::${s.account}:assumed-role/${s.roleName}/${s.sessionName}`,
    };
    this.byKey.set(session.accessKeyId, session);
    // Bounded: the oldest sessions are forgotten first (their keys then act as the default account's).
    if (this.byKey.size > this.max) this.byKey.delete(this.byKey.keys().next().value!);
    return session;
  }

  get(accessKeyId: string | undefined): Session | undefined {
    return accessKeyId === undefined ? undefined : this.byKey.get(accessKeyId);
  }
}
