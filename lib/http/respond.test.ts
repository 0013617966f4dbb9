import { describe, expect, it } from "vitest";
import { z } from "zod";
import { FleetDoctorError } from "../errors.ts";
import { errorResponse, fieldName, handle, readJson } from "./respond.ts";

describe("respond", () => {
  it("maps our errors to their status with the envelope", async () => {
    const r = errorResponse(new FleetDoctorError("CONFLICT", "busy", { scanId: "x" }));
    expect(r.status).toBe(409);
    expect(await r.json()).toEqual({ error: { code: "CONFLICT", message: "busy", details: { scanId: "x" } } });
  });

  it("names the field of a zod error", async () => {
    const schema = z.object({ targets: z.object({ ids: z.array(z.string().min(3)) }) });
    const r = errorResponse(schema.safeParse({ targets: { ids: ["ok-1", "x"] } }).error);
    expect(r.status).toBe(400);
    const body = await r.json();
    expect(body.error.code).toBe("BAD_REQUEST");
    expect(body.error.details.field).toBe("targets.ids[1]");
    expect(body.error.message).toMatch(/^targets\.ids\[1\]: /);
    expect(fieldName([])).toBe("body");
  });

  it("hides unexpected errors behind an id", async () => {
    const wrapped = handle(() => {
      throw new Error("secret internals at /home/x");
    });
    const original = console.error;
    console.error = () => {};
    try {
      const r = await wrapped();
      expect(r.status).toBe(500);
      const text = await r.text();
      expect(text).not.toContain("secret");
      expect(JSON.parse(text).error.details.errorId).toMatch(/^[0-9a-f-]{36}$/);
    } finally {
      console.error = original;
    }
  });

  it("refuses bodies that are not JSON", async () => {
    const schema = z.object({ a: z.number() });
    const post = (body: string, type = "application/json") =>
      new Request("http://x/", { method: "POST", body, headers: { "content-type": type } });
    await expect(readJson(post("{"), schema)).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(readJson(post("{}", "text/plain"), schema)).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(readJson(post('{"a":1}'), schema)).resolves.toEqual({ a: 1 });
  });

  it("refuses a body over 1 MB with 413, counting while it reads a stream of undeclared length", async () => {
    const schema = z.unknown();
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new Uint8Array(64 * 1024).fill(32));
      },
    });
    const streamed = new Request("http://x/", {
      method: "POST",
      body: endless,
      headers: { "content-type": "application/json" },
      duplex: "half",
    } as RequestInit);
    await expect(readJson(streamed, schema)).rejects.toMatchObject({ code: "PAYLOAD_TOO_LARGE", status: 413 });
    expect(pulled).toBeLessThan(20);
    const declared = new Request("http://x/", {
      method: "POST",
      body: "{}",
      headers: { "content-type": "application/json", "content-length": "2000000" },
    });
    await expect(readJson(declared, schema)).rejects.toMatchObject({ status: 413 });
  });
});
