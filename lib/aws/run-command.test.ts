/**
 * The Run Command runner on its own, with plain inputs, against the simulator through the real SDK (real bash): it
 * sends batches of `batchSize` paced under `sendRate`, reports every invocation's result, collects a command sent
 * before without sending it again, and on abort cancels what is outstanding.
 */
import { SSMClient } from "@aws-sdk/client-ssm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Simulator, startSimulator } from "../../sim/main.ts";
import { simCalls, simClientConfig } from "../../test/helpers/sim.ts";
import { type RunCommandEvent, type RunCommandInput, runCommand } from "./run-command.ts";

const ONLINE = ["01", "02", "03", "04", "05", "06"].map((n) => `i-0a0000000000000${n}`);

let sim: Simulator;
let ssm: SSMClient;

const calls = (op: string) => simCalls(sim.url, op);

beforeAll(async () => {
  sim = await startSimulator({ port: 0, scenario: "small", exec: "bash" });
  ssm = new SSMClient(simClientConfig(sim.url));
}, 60_000);

afterAll(async () => {
  ssm?.destroy();
  await sim?.close();
});

beforeEach(async () => {
  await fetch(`${sim.url}/_sim/calls`, { method: "DELETE" });
});

const input = (extra: Partial<RunCommandInput>): RunCommandInput => ({
  ssm,
  instanceIds: ONLINE,
  commands: ["echo hello-from-$(hostname 2>/dev/null || echo host)"],
  comment: "run-command test",
  deliveryTimeoutSeconds: 30,
  executionTimeoutSeconds: 10,
  sendRate: 4,
  pollRate: 50,
  tuning: { firstPollMs: 200, minPollMs: 200, maxPollMs: 500 },
  ...extra,
});

async function drain(i: RunCommandInput, onEvent?: (e: RunCommandEvent) => void) {
  const events: RunCommandEvent[] = [];
  for await (const e of runCommand(i)) {
    events.push(e);
    onEvent?.(e);
  }
  return events;
}

describe("runCommand", () => {
  it("sends batches of batchSize, paced under sendRate, and reports each result", async () => {
    const events = await drain(input({ batchSize: 2 }));
    const sent = events.filter((e) => e.type === "sent");
    // Two may be in flight at once, so they can answer in either order.
    const batches = sent.map((e) => e.instanceIds).sort((a, b) => a[0]!.localeCompare(b[0]!));
    expect(batches).toEqual([ONLINE.slice(0, 2), ONLINE.slice(2, 4), ONLINE.slice(4, 6)]);
    const results = events.flatMap((e) => (e.type === "result" ? [e.result] : []));
    expect(results.map((r) => r.instanceId).sort()).toEqual([...ONLINE].sort());
    for (const r of results) {
      expect(r).toMatchObject({ status: "Success", truncated: false });
      expect(r.fullOutput).toContain("hello-from-");
    }
    const sends = await calls("SendCommand");
    expect(sends).toHaveLength(3);
    for (const s of sends) expect(s.params).toMatchObject({ MaxConcurrency: "2", TimeoutSeconds: 30 });
    // 4 per second: three SendCommands leave the client 500 ms apart from first to last; they arrive at least
    // 300 ms apart however the machine delays one of them (unpaced, they would arrive within a few ms).
    const at = sends.map((s) => Date.parse(s.at));
    expect(at[2]! - at[0]!).toBeGreaterThanOrEqual(300);
  }, 30_000);

  it("waits maxPollMs before looking at a batch while more are being sent, and looks at the last one at once", async () => {
    // One instance per batch at 2 per second: sending lasts about 2.5 s. The first batches answer well within
    // maxPollMs; looking at them every 200 ms would cost several ListCommandInvocations calls each.
    const tuning = { firstPollMs: 200, minPollMs: 200, maxPollMs: 1500 };
    const events = await drain(input({ batchSize: 1, sendRate: 2, tuning }));
    expect(events.filter((e) => e.type === "result")).toHaveLength(ONLINE.length);
    const commandOf = new Map(
      events.flatMap((e) => (e.type === "sent" ? [[e.instanceIds[0]!, e.commandId] as const] : [])),
    );
    const sentAt = new Map(
      (await calls("SendCommand")).map((c) => [
        commandOf.get((c.params as { InstanceIds: string[] }).InstanceIds[0]!)!,
        Date.parse(c.at),
      ]),
    );
    const looks = await calls("ListCommandInvocations");
    const firstLookAfter = (commandId: string) =>
      Math.min(...looks.filter((l) => l.params.CommandId === commandId).map((l) => Date.parse(l.at))) -
      sentAt.get(commandId)!;
    const bySend = [...sentAt].sort((a, b) => a[1] - b[1]);
    const lastSend = bySend.at(-1)![1];
    // Sent at least maxPollMs before the last batch: sending was still going on when it was first looked at.
    const early = bySend.filter(([, t]) => t <= lastSend - tuning.maxPollMs - 300).map(([id]) => id);
    expect(early.length).toBeGreaterThanOrEqual(1);
    for (const id of early) expect(firstLookAfter(id)).toBeGreaterThanOrEqual(tuning.maxPollMs - 100);
    // Once everything is sent, the looks are timed for the end: the last batch waits firstPollMs, not maxPollMs.
    expect(firstLookAfter(bySend.at(-1)![0])).toBeLessThan(tuning.maxPollMs - 100);
    // The early batches were done by their first look: one call each, two if the machine was slow to run them.
    for (const id of early) expect(looks.filter((l) => l.params.CommandId === id).length).toBeLessThanOrEqual(2);
  }, 30_000);

  it("collects a command sent before without sending it again", async () => {
    const [first] = await drain(input({ instanceIds: ONLINE.slice(0, 1) })).then((es) =>
      es.filter((e) => e.type === "sent"),
    );
    const commandId = (first as { commandId: string }).commandId;
    await fetch(`${sim.url}/_sim/calls`, { method: "DELETE" });
    const again = await drain(input({ instanceIds: [], sent: [{ commandId, instanceIds: ONLINE.slice(0, 1) }] }));
    expect(again.filter((e) => e.type === "sent")).toHaveLength(0);
    expect(again.find((e) => e.type === "result")).toMatchObject({ result: { commandId, status: "Success" } });
    expect(await calls("SendCommand")).toHaveLength(0);
  }, 30_000);

  it("cancels what is outstanding when aborted", async () => {
    const controller = new AbortController();
    const run = drain(input({ commands: ["sleep 20"], signal: controller.signal }), (e) => {
      if (e.type === "sent") controller.abort(new Error("stop"));
    });
    await expect(run).rejects.toThrow("stop");
    const sent = (await calls("SendCommand"))[0]!;
    expect(sent).toBeDefined();
    const cancels = await calls("CancelCommand");
    expect(cancels).toHaveLength(1);
  }, 30_000);
});
