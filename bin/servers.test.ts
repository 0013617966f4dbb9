import { createServer, type Server as NetServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NEXT_FAILED, NEXT_READY, PortTakenError, portIsFree, startNext, startServer } from "./servers.ts";

let holder: NetServer;
let taken: number;

beforeAll(async () => {
  holder = createServer();
  await new Promise<void>((resolve) => holder.listen(0, "127.0.0.1", resolve));
  taken = (holder.address() as { port: number }).port;
});

afterAll(() => new Promise<void>((resolve) => holder.close(() => resolve())));

/** A stand-in for `next start` that prints what next prints on a taken port: its banner, then EADDRINUSE. */
const TAKEN_PORT_OUTPUT = [
  "   ▲ Next.js 16.4.6",
  "   - Local:        http://127.0.0.1:3000",
  "",
  " ⨯ Failed to start server",
  "Error: listen EADDRINUSE: address already in use 127.0.0.1:3000",
].join("\\n");

describe("startServer with next's readiness patterns", () => {
  it("rejects when the program says its port is taken, though its banner came first", async () => {
    const start = startServer({
      name: "next",
      command: process.execPath,
      args: ["-e", `console.log("${TAKEN_PORT_OUTPUT}"); setTimeout(() => process.exit(1), 2000)`],
      ready: NEXT_READY,
      failed: NEXT_FAILED,
      url: "http://127.0.0.1:3000",
      timeoutMs: 10_000,
    });
    await expect(start).rejects.toThrow(/address already in use/);
  });

  it("resolves on next's Ready line", async () => {
    const server = await startServer({
      name: "next",
      command: process.execPath,
      args: ["-e", `console.log("   - Local: http://127.0.0.1:1\\n ✓ Ready in 312ms"); setInterval(() => {}, 1000)`],
      ready: NEXT_READY,
      failed: NEXT_FAILED,
      url: "http://127.0.0.1:1",
      timeoutMs: 10_000,
    });
    await server.stop();
    expect(server.url).toBe("http://127.0.0.1:1");
  });
});

describe("startNext on a taken port", () => {
  it("knows the port is taken and refuses before starting anything", async () => {
    expect(await portIsFree(taken)).toBe(false);
    await expect(startNext({}, taken)).rejects.toBeInstanceOf(PortTakenError);
    await expect(startNext({}, taken)).rejects.toThrow(`port ${taken} on 127.0.0.1 is already in use`);
  });
});
