import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expandRows } from "@/components/instances/rows.ts";
import type { Verdict } from "@/lib/diagnosis/types.ts";
import { instanceEvent } from "@/lib/scan/result.ts";
import type { InstanceResult } from "@/lib/scan/types.ts";
import { openStore, type Store } from "@/lib/store/store.ts";
import { startSimulator } from "@/sim/main.ts";

// The routes read config() and getStore() once per process: point them at a temp database before loading them.
const dir = mkdtempSync(path.join(tmpdir(), "fd-api-"));
process.env.FLEET_DOCTOR_DB = path.join(dir, "api.db");
process.env.FLEET_DOCTOR_AUTH = "none";

const BASE = "http://fleet.test";
const ORIGIN = { origin: BASE };
type Routes = {
  scans: typeof import("./scans/route.ts");
  scan: typeof import("./scans/[id]/route.ts");
  events: typeof import("./scans/[id]/events/route.ts");
  instances: typeof import("./instances/route.ts");
  instance: typeof import("./instances/[id]/route.ts");
  view: typeof import("./instances/[id]/view/route.ts");
  unknown: typeof import("./[[...path]]/route.ts");
  table: typeof import("./instances/table/route.ts");
  store: ReturnType<typeof import("@/lib/store/index.ts").getStore>;
};
let r: Routes;

const ID1 = "i-0123456789abcdef0";
const ID2 = "i-0123456789abcdef1";
const ECS1 = {
  registered: true,
  clustersSearched: 1,
  cluster: "web",
  arn: "arn:aws:ecs:us-east-1:123456789012:container-instance/web/0123456789abcdef0123456789abcdef",
  status: "ACTIVE",
  agentConnected: false,
  agentVersion: "1.90.0",
  registeredAt: "2026-01-01T00:00:00.000Z",
};
let finishedScan = "";
let runningScan = "";
// Another process's store on the same file (its own lease owner and heartbeat): the owner of `runningScan`.
let other: Store;

function result(scanId: string, instanceId: string, verdict: Verdict, group?: string): InstanceResult {
  return {
    scanId,
    instanceId,
    target: { instanceId, pingStatus: "Online", ...(group ? { group, lifecycleState: "InService" } : {}) },
    outcome: { status: "Success", output: "{...}", truncated: false, responseCode: 0 },
    diagnosis: { verdict, summary: `<b>${verdict}</b>`, evidence: [], remedies: [], restartWillWork: false },
    verdict,
    agentVersion: "1.90.0",
    probedAt: new Date().toISOString(),
  };
}

const params = (id: string) => ({ params: Promise.resolve({ id }) });
const get = (url: string, headers: Record<string, string> = {}) => new Request(`${BASE}${url}`, { headers });
const post = (body: unknown, headers: Record<string, string> = { ...ORIGIN, "content-type": "application/json" }) =>
  new Request(`${BASE}/api/scans`, {
    method: "POST",
    headers,
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

async function errorOf(res: Response) {
  const body = (await res.json()) as { error: { code: string; message: string; details?: Record<string, unknown> } };
  return { status: res.status, ...body.error };
}

beforeAll(async () => {
  r = {
    scans: await import("./scans/route.ts"),
    scan: await import("./scans/[id]/route.ts"),
    events: await import("./scans/[id]/events/route.ts"),
    instances: await import("./instances/route.ts"),
    instance: await import("./instances/[id]/route.ts"),
    view: await import("./instances/[id]/view/route.ts"),
    unknown: await import("./[[...path]]/route.ts"),
    table: await import("./instances/table/route.ts"),
    store: (await import("@/lib/store/index.ts")).getStore(),
  };
  const s = r.store;
  finishedScan = (await s.createScan({ targets: { kind: "all" } })).id;
  const at = new Date().toISOString();
  await s.appendEvent(finishedScan, { type: "scan-started", scanId: finishedScan, targets: { kind: "all" }, at });
  await s.appendEvent(finishedScan, { type: "inventory", total: 2, online: 2, offline: 0, at });
  for (const [id, v, g] of [
    [ID1, "healthy", "web"],
    [ID2, "lifecycle-404:blocked", undefined],
  ] as const) {
    const res = result(finishedScan, id, v, g);
    // ECS had ID1 registered; ID2's scan did not ask ECS.
    if (id === ID1) res.ecs = ECS1;
    await s.saveResult(res, `raw output of ${id}`);
    await s.appendEvent(finishedScan, instanceEvent(res));
  }
  await s.finishScan(finishedScan, "completed"); // stores its scan-finished event
  // A scan another process runs (another server, the CLI): its lease is alive, renewed by that store's heartbeat.
  other = openStore(process.env.FLEET_DOCTOR_DB!, { leaseTtlSeconds: 3 });
  runningScan = (await other.createScan({ targets: { kind: "group", name: "idle" } })).id;
});

afterAll(async () => {
  await other?.close();
  r?.store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("GET /api/scans", () => {
  it("lists scans newest first and pages with before", async () => {
    const res = await r.scans.GET(get("/api/scans"));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { scans: { id: string }[] };
    expect(body.scans.map((s) => s.id).slice(0, 2)).toEqual([runningScan, finishedScan]);
    const page = await (await r.scans.GET(get(`/api/scans?limit=1&before=${runningScan}`))).json();
    expect(page.scans.map((s: { id: string }) => s.id)).toEqual([finishedScan]);
  });

  it.each([
    ["limit=0", "limit"],
    ["limit=abc", "limit"],
    ["limit=100000", "limit"],
    ["before=not-a-uuid", "before"],
    ["before=%27%3B%20DROP%20TABLE%20scans", "before"],
  ])("refuses ?%s naming %s", async (qs, field) => {
    const e = await errorOf(await r.scans.GET(get(`/api/scans?${qs}`)));
    expect(e).toMatchObject({ status: 400, code: "BAD_REQUEST" });
    expect(e.details?.field).toBe(field);
  });
});

describe("POST /api/scans (bad input)", () => {
  it.each([
    ["no targets", {}, "targets"],
    ["targets not an object", { targets: "all" }, "targets"],
    ["unknown kind", { targets: { kind: "everything" } }, "targets.kind"],
    ["tag without key", { targets: { kind: "tag", value: "x" } }, "targets.key"],
    ["tag key empty", { targets: { kind: "tag", key: "", value: "x" } }, "targets.key"],
    ["tag key with a newline", { targets: { kind: "tag", key: "a\nb", value: "x" } }, "targets.key"],
    ["tag value a number", { targets: { kind: "tag", key: "Env", value: 3 } }, "targets.value"],
    ["group name too long", { targets: { kind: "group", name: "g".repeat(300) } }, "targets.name"],
    ["ids empty", { targets: { kind: "ids", ids: [] } }, "targets.ids"],
    ["ids not a list", { targets: { kind: "ids", ids: "i-0123456789abcdef0" } }, "targets.ids"],
    ["a bad id", { targets: { kind: "ids", ids: [ID1, "i-XYZ"] } }, "targets.ids[1]"],
    ["shell in an id", { targets: { kind: "ids", ids: ["i-01234567; rm -rf /"] } }, "targets.ids[0]"],
    ["path in an id", { targets: { kind: "ids", ids: ["../../etc/passwd"] } }, "targets.ids[0]"],
    ["extra field", { targets: { kind: "all" }, force: true }, "body"],
    ["extra target field", { targets: { kind: "all", ids: [ID1] } }, "targets"],
    ["an array", [1, 2], "body"],
    ["null", null, "body"],
  ])("%s -> 400 naming the field", async (_name, body, field) => {
    const e = await errorOf(await r.scans.POST(post(body)));
    expect(e).toMatchObject({ status: 400, code: "BAD_REQUEST" });
    expect(String(e.details?.field)).toBe(field);
  });

  it("refuses malformed JSON and other content types", async () => {
    expect((await errorOf(await r.scans.POST(post("{targets:")))).details?.field).toBe("body");
    const form = await r.scans.POST(
      post("targets=all", { ...ORIGIN, "content-type": "application/x-www-form-urlencoded" }),
    );
    expect(await errorOf(form)).toMatchObject({ status: 400, details: { field: "content-type" } });
  });

  it("refuses a request from another origin or without Origin (CSRF)", async () => {
    const foreign = await r.scans.POST(
      post({ targets: { kind: "all" } }, { origin: "https://evil.example", "content-type": "application/json" }),
    );
    expect(await errorOf(foreign)).toMatchObject({ status: 403, code: "FORBIDDEN" });
    const none = await r.scans.POST(post({ targets: { kind: "all" } }, { "content-type": "application/json" }));
    expect((await errorOf(none)).status).toBe(403);
  });

  it("answers 409 with the running scan's id for the same targets", async () => {
    const e = await errorOf(await r.scans.POST(post({ targets: { kind: "group", name: "idle" } })));
    expect(e).toMatchObject({ status: 409, code: "CONFLICT", details: { scanId: runningScan } });
  });
});

describe("GET /api/scans/:id", () => {
  it("returns the scan with its results", async () => {
    const res = await r.scan.GET(get(`/api/scans/${finishedScan}`), params(finishedScan));
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.scan).toMatchObject({ id: finishedScan, status: "completed", done: 2 });
    expect(body.results.map((x: { instanceId: string }) => x.instanceId)).toEqual([ID1, ID2]);
  });

  it("?fields=scan: the scan's row alone and the seq of its last event, no results", async () => {
    const res = await r.scan.GET(get(`/api/scans/${finishedScan}?fields=scan`), params(finishedScan));
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(Object.keys(body).sort()).toEqual(["lastSeq", "scan"]);
    expect(body).toMatchObject({ scan: { id: finishedScan, status: "completed", done: 2 }, lastSeq: 5 });
    const bad = await r.scan.GET(get(`/api/scans/${finishedScan}?fields=everything`), params(finishedScan));
    expect(await errorOf(bad)).toMatchObject({ status: 400 });
    const unknown = crypto.randomUUID();
    expect((await r.scan.GET(get(`/api/scans/${unknown}?fields=scan`), params(unknown))).status).toBe(404);
  });

  it("404 for an unknown scan, 400 for a malformed id", async () => {
    const unknown = crypto.randomUUID();
    expect(await errorOf(await r.scan.GET(get(`/api/scans/${unknown}`), params(unknown)))).toMatchObject({
      status: 404,
      code: "NOT_FOUND",
    });
    for (const bad of ["x", "../../etc", "1 OR 1=1", "%00", "a".repeat(5000)]) {
      const e = await errorOf(await r.scan.GET(get("/api/scans/x"), params(bad)));
      expect(e).toMatchObject({ status: 400, details: { field: "id" } });
    }
  });
});

describe("DELETE /api/scans/:id", () => {
  const del = (id: string, headers: Record<string, string> = ORIGIN) =>
    r.scan.DELETE(new Request(`${BASE}/api/scans/${id}`, { method: "DELETE", headers }), params(id));

  it("409 for a finished scan, 404 unknown, 400 malformed, 403 without Origin", async () => {
    expect(await errorOf(await del(finishedScan))).toMatchObject({ status: 409, details: { status: "completed" } });
    expect((await errorOf(await del(crypto.randomUUID()))).status).toBe(404);
    expect((await errorOf(await del("nope"))).status).toBe(400);
    expect((await errorOf(await del(finishedScan, {}))).status).toBe(403);
  });

  it("202 for a scan another process runs: the cancel reaches its owner through the lease", async () => {
    const cancelled = other.scanCancelSignal(runningScan);
    const res = await del(runningScan);
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ scanId: runningScan, status: "cancelling" });
    // The owner's heartbeat (every third of its 3 s lease) hears the request.
    await new Promise((resolve) => cancelled.addEventListener("abort", resolve, { once: true }));
    expect(String(cancelled.reason)).toContain("cancelled");
  });
});

describe("GET /api/scans/:id/events", () => {
  async function readAll(res: Response): Promise<string> {
    return await res.text();
  }

  it("streams stored events with id = seq and closes after scan-finished", async () => {
    const res = await r.events.GET(get(`/api/scans/${finishedScan}/events`), params(finishedScan));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const text = await readAll(res);
    const ids = [...text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
    expect(ids).toEqual([1, 2, 3, 4, 5]);
    expect(text).toContain("event: scan-finished");
  });

  it("resumes after Last-Event-ID, or ?after=", async () => {
    const res = await r.events.GET(
      get(`/api/scans/${finishedScan}/events`, { "last-event-id": "3" }),
      params(finishedScan),
    );
    expect([...(await readAll(res)).matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]))).toEqual([4, 5]);
    const q = await r.events.GET(get(`/api/scans/${finishedScan}/events?after=4`), params(finishedScan));
    expect([...(await readAll(q)).matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]))).toEqual([5]);
  });

  it("404 unknown scan, 400 bad cursor or id", async () => {
    const unknown = crypto.randomUUID();
    expect((await errorOf(await r.events.GET(get("/x"), params(unknown)))).status).toBe(404);
    expect(await errorOf(await r.events.GET(get("/x?after=-1"), params(finishedScan)))).toMatchObject({
      status: 400,
      details: { field: "after" },
    });
    expect(
      await errorOf(await r.events.GET(get("/x", { "last-event-id": "abc" }), params(finishedScan))),
    ).toMatchObject({ status: 400, details: { field: "Last-Event-ID" } });
    expect((await errorOf(await r.events.GET(get("/x"), params("<script>")))).status).toBe(400);
  });

  it("streams live events of a running scan as they are stored", async () => {
    const s = r.store;
    const live = (await s.createScan({ targets: { kind: "tag", key: "Env", value: "live" } })).id;
    const res = await r.events.GET(get(`/api/scans/${live}/events`), params(live));
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = decoder.decode((await reader.read()).value); // "retry:", then the stream waits for events
    const at = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 50)); // let it start waiting
    const written = Date.now();
    await s.appendEvent(live, { type: "inventory", total: 0, online: 0, offline: 0, at });
    while (!text.includes("event: inventory")) text += decoder.decode((await reader.read()).value);
    // Written by this process: the store's in-process signal wakes the stream, well before its 1 s fallback poll.
    expect(Date.now() - written).toBeLessThan(500);
    await s.finishScan(live, "completed"); // stores scan-finished
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value);
    }
    expect([...text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]))).toEqual([1, 2]);
  });
});

describe("GET /api/instances", () => {
  it("lists the latest diagnosis per instance with counts", async () => {
    const res = await r.instances.GET(get("/api/instances"));
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.total).toBe(2);
    expect(body.items[0]).toMatchObject({ instanceId: ID1, verdict: "healthy", group: "web", agentVersion: "1.90.0" });
    expect(body.counts).toMatchObject({ healthy: 1, "lifecycle-404:blocked": 1, unknown: 0 });
  });

  it("filters by verdict (list or repeated), group, version and q, and pages", async () => {
    const ids = async (qs: string) =>
      ((await (await r.instances.GET(get(`/api/instances?${qs}`))).json()).items as { instanceId: string }[]).map(
        (i) => i.instanceId,
      );
    expect(await ids("verdict=lifecycle-404:blocked")).toEqual([ID2]);
    expect(await ids("verdict=healthy,lifecycle-404:blocked")).toEqual([ID1, ID2]);
    expect(await ids("verdict=healthy&verdict=lifecycle-404:blocked")).toEqual([ID1, ID2]);
    expect(await ids("group=web")).toEqual([ID1]);
    expect(await ids("version=1.90.0")).toEqual([ID1, ID2]);
    expect(await ids("version=9.9.9")).toEqual([]);
    expect(await ids("q=def1")).toEqual([ID2]);
    // The table's free text (lib/instances/free-text.ts): any visible column, the verdict's label included.
    expect(await ids("q=1.90")).toEqual([ID1, ID2]);
    expect(await ids("q=404%2C%20blocked")).toEqual([ID2]);
    expect(await ids("q=%25")).toEqual([]);
    expect(await ids("q=%27%20OR%201%3D1%20--")).toEqual([]);
    expect(await ids("limit=1&offset=1")).toEqual([ID2]);
    expect(await ids("registered=yes")).toEqual([ID1]);
    expect(await ids("registered=no")).toEqual([]);
    expect(await ids("registered=not-asked")).toEqual([ID2]);
  });

  it("carries ECS registration per instance (absent: ECS not asked)", async () => {
    const body = await (await r.instances.GET(get("/api/instances"))).json();
    expect(body.items.map((i: { registered?: boolean }) => i.registered)).toEqual([true, undefined]);
  });

  it.each([
    ["verdict=broken", "verdict[0]"],
    ["limit=0", "limit"],
    ["limit=5000", "limit"],
    ["limit=1.5", "limit"],
    ["offset=-1", "offset"],
    ["offset=x", "offset"],
    [`q=${"x".repeat(200)}`, "q"],
    ["group=", "group"],
    ["registered=maybe", "registered"],
  ])("refuses ?%s naming %s", async (qs, field) => {
    const e = await errorOf(await r.instances.GET(get(`/api/instances?${qs}`)));
    expect(e).toMatchObject({ status: 400, code: "BAD_REQUEST", details: { field } });
  });
});

describe("GET /api/instances/:id", () => {
  it("returns the latest result with raw output, and the history", async () => {
    const res = await r.instance.GET(get(`/api/instances/${ID2}`), params(ID2));
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.instance).toMatchObject({
      instanceId: ID2,
      verdict: "lifecycle-404:blocked",
      rawOutput: `raw output of ${ID2}`,
    });
    expect(body.instance.diagnosis.summary).toBe("<b>lifecycle-404:blocked</b>");
    expect(body.history).toHaveLength(1);
    expect(body.history[0].rawOutput).toBeUndefined();
    expect(body.instance.ecs).toBeUndefined();
    const one = await (await r.instance.GET(get(`/api/instances/${ID1}`), params(ID1))).json();
    expect(one.instance.ecs).toEqual(ECS1);
  });

  it("404 for an instance never scanned, 400 for a malformed id", async () => {
    expect((await errorOf(await r.instance.GET(get("/x"), params("i-00000000")))).status).toBe(404);
    for (const bad of ["i-XYZ", "i-0123456789abcdef0/../x", "mi-123", "' OR 1=1", ""]) {
      expect(await errorOf(await r.instance.GET(get("/x"), params(bad)))).toMatchObject({
        status: 400,
        details: { field: "id" },
      });
    }
  });
});

describe("GET /api/instances/:id/view", () => {
  it("returns the instance as its page shows it; 404 unknown; 400 malformed, even a bad escape", async () => {
    const res = await r.view.GET(get(`/api/instances/${ID1}/view`), params(ID1));
    expect(res.status).toBe(200);
    const { view } = await res.json();
    expect(view).toMatchObject({ instanceId: ID1, verdict: "healthy", rawOutput: `raw output of ${ID1}` });
    expect(view.ecs).toEqual(ECS1);
    expect(view.history).toHaveLength(1);
    expect((await errorOf(await r.view.GET(get("/x"), params("i-00000000")))).status).toBe(404);
    for (const bad of ["%E0%A4%A", "%ff%fe", "%ED%A0%80", "i-XYZ"]) {
      expect(await errorOf(await r.view.GET(get("/x"), params(bad)))).toMatchObject({
        status: 400,
        details: { field: "id" },
      });
    }
  });
});

describe("malformed percent-escapes in ids", () => {
  it.each(["%E0%A4%A", "%ff%fe", "%ED%A0%80", "%", "%2e%2e"])(
    "%s is a 400 naming id on every dynamic route",
    async (bad) => {
      const del = new Request(`${BASE}/api/scans/x`, { method: "DELETE", headers: ORIGIN });
      for (const res of [
        await r.scan.GET(get("/x"), params(bad)),
        await r.scan.DELETE(del, params(bad)),
        await r.events.GET(get("/x"), params(bad)),
        await r.instance.GET(get("/x"), params(bad)),
        await r.view.GET(get("/x"), params(bad)),
      ]) {
        expect(await errorOf(res)).toMatchObject({ status: 400, code: "BAD_REQUEST", details: { field: "id" } });
      }
    },
  );
});

describe("an /api path no route serves", () => {
  it.each(["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const)("%s answers the JSON 404", async (method) => {
    const res = await r.unknown[method](new Request(`${BASE}/api/nope`, { method }));
    expect(await errorOf(res)).toMatchObject({ status: 404, code: "NOT_FOUND" });
  });
});

describe("a scan through the API against the simulator", () => {
  let sim: { url: string; close(): Promise<void> };
  beforeAll(async () => {
    sim = await startSimulator({ port: 0, scenario: "small", exec: "model" });
    // Read by the SDK when a scan creates its clients.
    process.env.AWS_ENDPOINT_URL = sim.url;
    process.env.AWS_ACCESS_KEY_ID = "test";
    process.env.AWS_SECRET_ACCESS_KEY = "test";
  }, 60_000);
  afterAll(async () => {
    await sim?.close();
  });

  it("POST 202 -> 409 for the same targets -> SSE to scan-finished -> GET shows the results", async () => {
    const res = await r.scans.POST(post({ targets: { kind: "all" } }));
    expect(res.status).toBe(202);
    const { scanId } = (await res.json()) as { scanId: string };
    expect(res.headers.get("location")).toBe(`/api/scans/${scanId}`);

    const again = await errorOf(await r.scans.POST(post({ targets: { kind: "all" } })));
    expect(again).toMatchObject({ status: 409, code: "CONFLICT", details: { scanId } });

    const stream = await r.events.GET(get(`/api/scans/${scanId}/events`), params(scanId));
    const text = await stream.text();
    const seqs = [...text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    expect(text).toContain("event: scan-started");
    expect(text.match(/^event: instance$/gm)).toHaveLength(9);
    expect(text.trimEnd().split("\n\n").at(-1)).toContain("event: scan-finished");

    const body = await (await r.scan.GET(get(`/api/scans/${scanId}`), params(scanId))).json();
    expect(body.scan).toMatchObject({ id: scanId, status: "completed", total: 9, done: 9, actor: "local" });
    expect(body.results).toHaveLength(9);
    const inst = await (await r.instances.GET(get("/api/instances?verdict=lifecycle-404:ready"))).json();
    expect(inst.items.map((i: { instanceId: string }) => i.instanceId)).toContain("i-0a000000000000003");
  });

  it("DELETE cancels a running scan", async () => {
    const { scanDone } = await import("@/lib/scan/start-scan.ts");
    const res = await r.scans.POST(post({ targets: { kind: "group", name: "web" } }));
    expect(res.status).toBe(202);
    const { scanId } = (await res.json()) as { scanId: string };
    const del = await r.scan.DELETE(
      new Request(`${BASE}/api/scans/${scanId}`, { method: "DELETE", headers: ORIGIN }),
      params(scanId),
    );
    expect(del.status).toBe(202);
    expect(await del.json()).toEqual({ scanId, status: "cancelling" });
    await scanDone(r.store, scanId);
    expect((await r.store.getScan(scanId))?.status).toBe("cancelled");
  });
  it("409 naming the running scan while another replica scans the same fleet, whatever its targets", async () => {
    const { scanDone } = await import("@/lib/scan/start-scan.ts");
    const { defaultScanContext } = await import("@/lib/scan/context.ts");
    const { fleetOf } = await import("@/lib/scan/run-scan.ts");
    const fleet = await fleetOf(defaultScanContext().clients);
    // Another replica's store on the same database runs a scan of the simulator's fleet (other targets).
    const replica = openStore(process.env.FLEET_DOCTOR_DB!);
    try {
      const theirs = await replica.createScan({ targets: { kind: "ids", ids: [ID1] }, fleet: fleet.id });
      const e = await errorOf(await r.scans.POST(post({ targets: { kind: "group", name: "web" } })));
      expect(e).toMatchObject({ status: 409, code: "CONFLICT", details: { scanId: theirs.id, fleet: fleet.id } });
      expect(e.message).toContain(theirs.id);
      await replica.finishScan(theirs.id, "cancelled");
      const res = await r.scans.POST(post({ targets: { kind: "group", name: "web" } }));
      expect(res.status).toBe(202);
      await scanDone(r.store, ((await res.json()) as { scanId: string }).scanId);
    } finally {
      await replica.close();
    }
  });
});

describe("GET /api/instances/table", () => {
  it("sends every instance's row, and a 304 for its ETag until a result changes", async () => {
    const res = await r.table.GET(get("/api/instances/table"));
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("private, no-cache");
    const etag = res.headers.get("etag") ?? "";
    expect(etag).toMatch(/^"[^"]+"$/);
    const rows = expandRows(await res.json());
    const stored = (await r.store.latestResults({ limit: 1000 })).items;
    expect(rows.map((x) => x.instanceId)).toEqual(stored.map((x) => x.instanceId));
    // The Registered column: the simulator's scan above asked ECS, which has some of its instances and not others.
    const registered = new Map(stored.map((x) => [x.instanceId, x.registered]));
    for (const row of rows) {
      const want = registered.get(row.instanceId);
      expect(row.registered).toBe(want === undefined ? "not asked" : want ? "yes" : "no");
    }
    expect(new Set(rows.map((x) => x.registered))).toEqual(new Set(["yes", "no"]));
    // ID2 is gone: the full scan of the simulator's fleet above did not see it. It is listed only on request.
    expect(rows.find((x) => x.instanceId === ID2)).toBeUndefined();
    const withGone = await (await r.instances.GET(get("/api/instances?include=gone&limit=1000"))).json();
    expect(withGone.items.find((x: { instanceId: string }) => x.instanceId === ID2)).toMatchObject({
      verdict: "lifecycle-404:blocked",
      goneSince: expect.any(String),
    });
    const counted = Object.values(withGone.counts as Record<string, number>).reduce((a, b) => a + b, 0);
    expect(counted).toBe(withGone.total - 2); // ID1 and ID2 are listed, not counted

    const same = await r.table.GET(get("/api/instances/table", { "if-none-match": etag }));
    expect(same.status).toBe(304);
    expect(await same.text()).toBe("");

    const id3 = "i-0123456789abcdef2";
    await r.store.saveResult(result(finishedScan, id3, "lifecycle-404:ready", "web"), "raw");
    const changed = await r.table.GET(get("/api/instances/table", { "if-none-match": etag }));
    expect(changed.status).toBe(200);
    expect(changed.headers.get("etag")).not.toBe(etag);
    expect(expandRows(await changed.json()).find((x) => x.instanceId === id3)).toMatchObject({
      verdict: "lifecycle-404:ready",
      group: "web",
    });
  });
});
