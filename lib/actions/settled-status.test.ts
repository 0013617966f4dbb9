import { describe, expect, it } from "vitest";
import { settledStatus } from "./settled-status.ts";

describe("settledStatus", () => {
  it("is completed only when every restarted instance registered again", () => {
    expect(settledStatus("completed", { registered: 3 })).toBe("completed");
    expect(settledStatus("completed", {})).toBe("completed");
  });

  it("is failed when every instance failed, partly-failed when some did", () => {
    expect(settledStatus("completed", { "failed-again": 2 })).toBe("failed");
    expect(settledStatus("completed", { timeout: 1, "not-delivered": 1 })).toBe("failed");
    expect(settledStatus("completed", { registered: 1, error: 1 })).toBe("partly-failed");
    expect(settledStatus("completed", { registered: 1, unknown: 1 })).toBe("partly-failed");
  });

  it("keeps the other ends as they are", () => {
    expect(settledStatus("halted", { "failed-again": 1, skipped: 1 })).toBe("halted");
    expect(settledStatus("refused", {})).toBe("refused");
    expect(settledStatus("interrupted", { registered: 1, skipped: 1 })).toBe("interrupted");
  });
});
