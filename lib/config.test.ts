import { describe, expect, it } from "vitest";
import { parseConfig } from "./config.ts";
import { FleetDoctorError } from "./errors.ts";

describe("parseConfig", () => {
  it("applies defaults for an empty environment", () => {
    const c = parseConfig({});
    expect(c).toMatchObject({ region: "us-east-1", dbPath: "./data/fleet-doctor.db", auth: "none", sendRate: 5 });
    expect(c.leaseTtlSeconds).toBe(30);
    expect(parseConfig({ FLEET_DOCTOR_LEASE_TTL: "2" }).leaseTtlSeconds).toBe(2);
    expect(c.joinGraceSeconds).toBe(300);
    expect(parseConfig({ FLEET_DOCTOR_JOIN_GRACE_SECONDS: "0" }).joinGraceSeconds).toBe(0);
  });

  it("prefers AWS_REGION over AWS_DEFAULT_REGION", () => {
    expect(parseConfig({ AWS_REGION: "eu-west-1", AWS_DEFAULT_REGION: "us-west-2" }).region).toBe("eu-west-1");
    expect(parseConfig({ AWS_DEFAULT_REGION: "us-west-2" }).region).toBe("us-west-2");
  });

  it.each([
    ["FLEET_DOCTOR_AUTH", "oidc"],
    ["FLEET_DOCTOR_SEND_RATE", "fast"],
    ["FLEET_DOCTOR_PROBE_TIMEOUT", "5"],
    ["FLEET_DOCTOR_DELIVERY_TIMEOUT", "10"],
    ["FLEET_DOCTOR_LEASE_TTL", "0"],
    ["FLEET_DOCTOR_LEASE_TTL", "1.5"],
    ["FLEET_DOCTOR_LEASE_TTL", "a minute"],
    ["AWS_ENDPOINT_URL", "notaurl"],
    ["AWS_ENDPOINT_URL", "127.0.0.1:4566"],
    ["AWS_ENDPOINT_URL_SSM", "ftp://example.com"],
    ["AWS_ENDPOINT_URL_AUTO_SCALING", "http//localhost"],
    ["AWS_ENDPOINT_URL_STS", "localhost"],
    ["AWS_ENDPOINT_URL_ECS", "localhost"],
    ["FLEET_DOCTOR_JOIN_GRACE_SECONDS", "-1"],
    ["FLEET_DOCTOR_JOIN_GRACE_SECONDS", "5 minutes"],
    ["FLEET_DOCTOR_DATABASE_URL", "mysql://db.internal/fleet"],
    ["FLEET_DOCTOR_DATABASE_URL", "db.internal:5432"],
    ["FLEET_DOCTOR_DATABASE_URL", "postgres://"],
  ])("names %s when its value %j is wrong", (name, value) => {
    try {
      parseConfig({ [name]: value });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(FleetDoctorError);
      expect((e as Error).message).toContain(name);
    }
  });

  it("accepts an http(s) endpoint and an empty one", () => {
    expect(() =>
      parseConfig({ AWS_ENDPOINT_URL: "http://127.0.0.1:4566", AWS_ENDPOINT_URL_SSM: "https://ssm.example.com/" }),
    ).not.toThrow();
    expect(() => parseConfig({ AWS_ENDPOINT_URL: "" })).not.toThrow();
  });

  it("keeps the state in PostgreSQL only when FLEET_DOCTOR_DATABASE_URL names a server", () => {
    expect(parseConfig({}).databaseUrl).toBeUndefined();
    expect(parseConfig({ FLEET_DOCTOR_DATABASE_URL: "" }).databaseUrl).toBeUndefined();
    for (const url of ["postgres://fd:secret@db.internal:5432/fleet", "postgresql://127.0.0.1/fleet?sslmode=require"])
      expect(parseConfig({ FLEET_DOCTOR_DATABASE_URL: url }).databaseUrl).toBe(url);
    expect(() => parseConfig({ FLEET_DOCTOR_DATABASE_URL: "mysql://db.internal/fleet" })).toThrow(
      /FLEET_DOCTOR_DATABASE_URL: expected a PostgreSQL URL such as postgres:\/\//,
    );
  });
});
