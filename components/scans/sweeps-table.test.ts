/**
 * The Sweeps table as the server renders it: a sweep row with a child row per fleet, expanded at first, so a fleet
 * whose role could not be assumed shows as an error row of its own (its AWS text as text, never markup), and a
 * fleet read by a scan links to that scan's page.
 */
import { AppRouterContext, type AppRouterInstance } from "next/dist/shared/lib/app-router-context.shared-runtime";
import { createElement } from "react";
import { renderToString } from "react-dom/server";
import { describe, expect, it } from "vitest";
import type { SweepView } from "@/lib/scan/sweep-types.ts";
import { SweepsTable } from "./sweeps-table.tsx";

const SCAN = "0b1c2d3e-0000-4000-8000-000000000001";
const sweep: SweepView = {
  id: "0b1c2d3e-0000-4000-8000-000000000000",
  status: "partial",
  actor: "ops@example.com",
  targets: { kind: "all" },
  startedAt: "2026-12-06T10:00:00.000Z",
  finishedAt: "2026-12-06T10:01:00.000Z",
  fleets: [
    {
      fleet: "111111111111/us-east-1",
      scanId: SCAN,
      scan: {
        status: "completed",
        done: 9,
        total: 9,
        counts: { healthy: 1 },
        startedAt: "2026-12-06T10:00:00.000Z",
        finishedAt: "2026-12-06T10:00:30.000Z",
      },
    },
    {
      fleet: "333333333333/us-east-1",
      error: { code: "AccessDenied", message: "Role arn:aws:iam::333333333333:role/FleetDoctorMember <b>denied</b>" },
    },
  ],
};

describe("SweepsTable", () => {
  it("shows each fleet as a child row: the scanned one linked to its scan, the denied one as its error", () => {
    // The page renders inside Next.js' router (AppLink navigates with it); nothing here follows a link.
    const router = { push() {}, replace() {}, refresh() {}, back() {}, forward() {}, prefetch() {} };
    const html = renderToString(
      createElement(
        AppRouterContext.Provider,
        { value: router as unknown as AppRouterInstance },
        createElement(SweepsTable, { sweeps: [sweep] }),
      ),
    );
    expect(html).toContain(`href="/scans/${SCAN}"`);
    expect(html).toContain("111111111111/us-east-1");
    expect(html).toContain("333333333333/us-east-1");
    expect(html).toContain("AccessDenied: Role arn:aws:iam::333333333333:role/FleetDoctorMember &lt;b&gt;denied");
    expect(html).not.toContain("<b>denied</b>");
    expect(html).toContain("1 of 2 fleets in error");
  });
});
