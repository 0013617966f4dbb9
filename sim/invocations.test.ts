/** The Run Command lifecycle on a virtual clock: delivery latency, delivery timeouts, cancel, command-level state. */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { ExecResult, Fleet, HostInfo } from "./fleet-types.ts";
import { type Command, CommandStore, commandState } from "./ssm/invocations.ts";

type Host = HostInfo & { whenOffline?: "undeliverable" | "delivery-timeout" };

function fleetOf(hosts: Partial<Host>[], run: (id: string) => Promise<ExecResult>): Fleet {
  const all = hosts.map(
    (h, i): Host => ({
      instanceId: `i-0${String(i).padStart(16, "0")}`,
      pingStatus: "Online",
      lastPingAt: new Date(0),
      ssmAgentVersion: "3.3.0.0",
      platformType: "Linux",
      platformName: "Amazon Linux",
      platformVersion: "2023",
      computerName: "h",
      ipAddress: "10.0.0.1",
      tags: {},
      stopped: false,
      ...h,
    }),
  );
  return {
    hosts: () => all,
    host: (id) => all.find((h) => h.instanceId === id),
    groups: () => [],
    membership: () => undefined,
    clusters: () => [],
    containerInstances: () => [],
    attach() {},
    detach() {},
    run: (id) => run(id),
    timing: () => ({ deliveryMs: 1000 }),
    describe: () => undefined,
    handle: () => false,
    close: async () => {},
  };
}

const base = {
  documentName: "AWS-RunShellScript",
  documentVersion: "$DEFAULT",
  comment: "",
  parameters: {},
  instanceIds: [],
  targets: [],
  timeoutSeconds: 60,
  maxConcurrency: "50",
  maxErrors: "0",
  commands: ["true"],
  executionTimeoutSeconds: 3600,
};

const statuses = (cmd: Command) => cmd.invocations.map((i) => `${i.status}/${i.statusDetails}`);

describe("CommandStore", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("goes Pending -> InProgress after the delivery latency -> Success", async () => {
    let finish!: (r: ExecResult) => void;
    const fleet = fleetOf([{}], () => new Promise((r) => (finish = r)));
    const store = new CommandStore(fleet, { invisibleMs: 0 });
    const cmd = store.send({ ...base, resolvedInstanceIds: [fleet.hosts()[0]!.instanceId] });
    expect(statuses(cmd)).toEqual(["Pending/Pending"]);
    expect(commandState(cmd).status).toBe("Pending");
    await vi.advanceTimersByTimeAsync(1000);
    expect(statuses(cmd)).toEqual(["InProgress/InProgress"]);
    expect(commandState(cmd).status).toBe("InProgress");
    finish({ exitCode: 0, stdout: "ok\n", stderr: "", timedOut: false });
    await vi.advanceTimersByTimeAsync(0);
    expect(statuses(cmd)).toEqual(["Success/Success"]);
    expect(commandState(cmd)).toMatchObject({ status: "Success", completedCount: 1, errorCount: 0 });
    store.close();
  });

  it("an offline host that waits for delivery ends DeliveryTimedOut once TimeoutSeconds pass", async () => {
    const fleet = fleetOf(
      [{ pingStatus: "ConnectionLost", whenOffline: "delivery-timeout" }, { pingStatus: "ConnectionLost" }],
      async () => {
        throw new Error("must not run");
      },
    );
    const store = new CommandStore(fleet);
    const cmd = store.send({
      ...base,
      timeoutSeconds: 30,
      resolvedInstanceIds: fleet.hosts().map((h) => h.instanceId),
    });
    await vi.advanceTimersByTimeAsync(1000);
    expect(statuses(cmd)).toEqual(["Pending/Pending", "Failed/Undeliverable"]);
    await vi.advanceTimersByTimeAsync(28_000);
    expect(statuses(cmd)[0]).toBe("Pending/Pending");
    await vi.advanceTimersByTimeAsync(1_000);
    expect(statuses(cmd)).toEqual(["TimedOut/DeliveryTimedOut", "Failed/Undeliverable"]);
    expect(commandState(cmd)).toMatchObject({
      status: "Failed",
      statusDetails: "Incomplete",
      deliveryTimedOutCount: 1,
      errorCount: 0,
      completedCount: 2,
    });
    store.close();
  });

  it("only delivery timeouts make the command TimedOut; cancel ends pending invocations Cancelled", async () => {
    const fleet = fleetOf(
      [{ pingStatus: "ConnectionLost", whenOffline: "delivery-timeout" }, {}],
      () => new Promise(() => {}),
    );
    const store = new CommandStore(fleet);
    const timedOut = store.send({ ...base, timeoutSeconds: 30, resolvedInstanceIds: [fleet.hosts()[0]!.instanceId] });
    await vi.advanceTimersByTimeAsync(30_000);
    expect(commandState(timedOut)).toMatchObject({ status: "TimedOut", statusDetails: "DeliveryTimedOut" });

    const cancelled = store.send({ ...base, resolvedInstanceIds: [fleet.hosts()[1]!.instanceId] });
    store.cancel(cancelled);
    expect(statuses(cancelled)).toEqual(["Cancelled/Cancelled"]);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(statuses(cancelled)).toEqual(["Cancelled/Cancelled"]);
    expect(commandState(cancelled).status).toBe("Cancelled");
    store.close();
  });
});

describe("CommandStore timers", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("waits the full TimeoutSeconds even beyond setTimeout's 24.8-day limit", async () => {
    const fleet = fleetOf(
      [{ pingStatus: "ConnectionLost", whenOffline: "delivery-timeout" }],
      () => new Promise(() => {}),
    );
    const store = new CommandStore(fleet);
    const cmd = store.send({ ...base, timeoutSeconds: 2_592_000, resolvedInstanceIds: [fleet.hosts()[0]!.instanceId] });
    await vi.advanceTimersByTimeAsync(25 * 86_400_000);
    expect(statuses(cmd)).toEqual(["Pending/Pending"]);
    await vi.advanceTimersByTimeAsync(5 * 86_400_000);
    expect(statuses(cmd)).toEqual(["TimedOut/DeliveryTimedOut"]);
    store.close();
  });

  it("invocations queued by MaxConcurrency past ExpiresAfter end DeliveryTimedOut", async () => {
    const fleet = fleetOf([{}, {}], () => new Promise(() => {}));
    const store = new CommandStore(fleet);
    const cmd = store.send({
      ...base,
      timeoutSeconds: 30,
      maxConcurrency: "1",
      resolvedInstanceIds: fleet.hosts().map((h) => h.instanceId),
    });
    await vi.advanceTimersByTimeAsync(30_000);
    expect(statuses(cmd)).toEqual(["InProgress/InProgress", "TimedOut/DeliveryTimedOut"]);
    store.close();
  });
});
