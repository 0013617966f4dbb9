import { describe, expect, it } from "vitest";
import { isFleetDoctorError } from "../errors.ts";
import { resumeAfter } from "./resume-after.ts";

const req = (query = "", header?: string) =>
  new Request(`http://x.local/events${query}`, header === undefined ? {} : { headers: { "last-event-id": header } });

function fieldOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    if (isFleetDoctorError(e)) return { code: e.code, field: (e.details as { field?: string } | undefined)?.field };
    throw e;
  }
  return "no error";
}

describe("resumeAfter", () => {
  it("reads Last-Event-ID first, then ?after=, else 0", () => {
    expect(resumeAfter(req())).toBe(0);
    expect(resumeAfter(req("?after=4"))).toBe(4);
    expect(resumeAfter(req("?after=4", " 7 "))).toBe(7);
  });

  it("refuses what is not a non-negative integer, naming where it came from", () => {
    expect(fieldOf(() => resumeAfter(req("?after=-1")))).toEqual({ code: "BAD_REQUEST", field: "after" });
    expect(fieldOf(() => resumeAfter(req("", "1e3")))).toEqual({ code: "BAD_REQUEST", field: "Last-Event-ID" });
    expect(fieldOf(() => resumeAfter(req("?after=1234567890123")))).toEqual({ code: "BAD_REQUEST", field: "after" });
  });
});
