import { describe, expect, it } from "vitest";
import { Faults, normalise, parseThrottleFlag } from "./faults.ts";

describe("Faults", () => {
  it("throttles with a token bucket: a burst of one second's worth, then the rate", () => {
    let now = 0;
    const f = new Faults(
      { throttle: { SendCommand: 2 } },
      () => 0.5,
      () => now,
    );
    const take = () => f.decide("SendCommand").outcome;
    expect([take(), take(), take()]).toEqual(["ok", "ok", "throttle"]);
    now += 499;
    expect(take()).toBe("throttle");
    now += 2;
    expect(take()).toBe("ok");
    now += 10_000;
    expect([take(), take(), take()]).toEqual(["ok", "ok", "throttle"]);
    expect(f.decide("ListCommands").outcome).toBe("ok");
  });

  it("keeps a bucket per fleet, as AWS's limits are per account and region", () => {
    const f = new Faults(
      { throttle: { SendCommand: 1 } },
      () => 0.5,
      () => 0,
    );
    expect(f.decide("SendCommand", "111111111111/us-east-1").outcome).toBe("ok");
    expect(f.decide("SendCommand", "111111111111/us-east-1").outcome).toBe("throttle");
    expect(f.decide("SendCommand", "222222222222/us-east-1").outcome).toBe("ok");
    expect(f.decide("SendCommand", "111111111111/eu-west-1").outcome).toBe("ok");
  });

  it("answers 5xx at the error rate, only for the listed ops, with the latency", () => {
    const rolls = [0.1, 0.2, 0.9];
    const f = new Faults({ errorRate: 0.5, latencyMs: 30, ops: ["ListCommands"] }, () => rolls.shift() ?? 0.9);
    expect(f.decide("ListCommands")).toEqual({ latencyMs: 30, outcome: "server-error" });
    expect(f.decide("ListCommands")).toEqual({ latencyMs: 30, outcome: "ok" });
    expect(f.decide("SendCommand")).toEqual({ latencyMs: 0, outcome: "ok" });
  });

  it("denies the listed operations before any other fault", () => {
    const f = new Faults({ deny: ["ListClusters"], throttle: { ListClusters: 0 } });
    expect(f.decide("ListClusters").outcome).toBe("denied");
    expect(f.decide("ListContainerInstances").outcome).toBe("ok");
    expect(() => normalise({ deny: "ListClusters" })).toThrow(/deny/);
  });

  it("validates settings and the --throttle flag", () => {
    expect(() => normalise({ errorRate: 1.5 })).toThrow(/errorRate/);
    expect(() => normalise({ throttle: { SendCommand: -1 } })).toThrow(/throttle.SendCommand/);
    expect(() => normalise({ latencyMs: "x" })).toThrow(/latencyMs/);
    expect(() => normalise([])).toThrow();
    expect(parseThrottleFlag("SendCommand=5, DescribeInstanceInformation=0.5")).toEqual({
      SendCommand: 5,
      DescribeInstanceInformation: 0.5,
    });
    expect(() => parseThrottleFlag("SendCommand")).toThrow(/Operation=requestsPerSecond/);
  });
});
