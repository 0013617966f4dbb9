import { FleetDoctorError } from "../errors.ts";

const SEQ = /^\d{1,12}$/;

/**
 * Where an event stream resumes: after the `Last-Event-ID` a reconnecting browser sends, or `?after=` (a page that
 * already read some events), or 0. Bad input is a 400 naming the field it came from.
 */
export function resumeAfter(request: Request): number {
  const header = request.headers.get("last-event-id");
  const raw = header ?? new URL(request.url).searchParams.get("after");
  if (raw === null) return 0;
  if (!SEQ.test(raw.trim())) {
    const field = header !== null ? "Last-Event-ID" : "after";
    throw new FleetDoctorError("BAD_REQUEST", `${field}: must be a non-negative integer`, { field });
  }
  return Number(raw.trim());
}
