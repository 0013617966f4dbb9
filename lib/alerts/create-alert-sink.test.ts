import { createHmac } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type WebhookReceiver, webhookReceiver } from "../../test/helpers/webhook-receiver.ts";
import { openStore, type Store } from "../store/store.ts";
import { createAlertSink } from "./create-alert-sink.ts";
import { backoffMs, DEFAULT_RETRY } from "./deliver.ts";
import type { AlertEvent } from "./types.ts";
import { ALERT_KINDS, type Webhook } from "./webhook-config.ts";

const FLEET = "123456789012/us-east-1";
const SECRET = "s3cret-s3cret-s3cret-0123456789";
const FAST = { attempts: 4, baseMs: 5, maxMs: 40, timeoutMs: 5000 };

let store: Store;
let rx: WebhookReceiver;
beforeEach(async () => {
  store = openStore(":memory:");
  rx = await webhookReceiver();
});
afterEach(async () => {
  await rx.close();
  await store.close();
});

function failure(instanceId: string, verdict = "lifecycle-404:ready"): AlertEvent {
  return {
    kind: "new-failure",
    fleet: FLEET,
    instanceId,
    verdict,
    group: "web",
    summary: "<script>agent said: token=abc</script>",
    scanId: "scan-1",
    at: new Date().toISOString(),
  };
}

const json = (path: string, events = [...ALERT_KINDS]): Webhook => ({
  name: `json${path.replaceAll("/", "-")}`,
  format: "json",
  url: rx.url(path),
  secret: SECRET,
  events,
});
const slack = (path: string): Webhook => ({
  name: "slack",
  format: "slack",
  url: rx.url(path),
  events: [...ALERT_KINDS],
});

describe("createAlertSink: dedupe", () => {
  it("alerts a failure once per instance and verdict, again for another verdict, and again once resolved", async () => {
    const sink = createAlertSink({ store, webhooks: [json("/j")], retry: FAST });
    await sink.send([failure("i-01")]);
    await sink.send([failure("i-01")]);
    await sink.settled();
    expect(rx.received).toHaveLength(1);

    await sink.send([failure("i-01", "agent-failed")]);
    await sink.settled();
    expect(rx.received).toHaveLength(2);
    expect(JSON.parse(rx.received[1]!.body).alerts[0].verdict).toBe("agent-failed");

    await sink.resolved(FLEET, ["i-01"]);
    await sink.send([failure("i-01")]);
    await sink.settled();
    expect(rx.received).toHaveLength(3);
    expect(JSON.parse(rx.received[2]!.body).alerts.map((a: { instanceId: string }) => a.instanceId)).toEqual(["i-01"]);
  });

  it("claims a failure once across two replicas sending it at once (one store file, two stores)", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "fd-alerts-"));
    const a = openStore(`${dir}/a.db`);
    const b = openStore(`${dir}/a.db`);
    try {
      const sa = createAlertSink({ store: a, webhooks: [json("/j")], retry: FAST });
      const sb = createAlertSink({ store: b, webhooks: [json("/j")], retry: FAST });
      await Promise.all([sa.send([failure("i-02")]), sb.send([failure("i-02")])]);
      await Promise.all([sa.settled(), sb.settled()]);
      expect(rx.received).toHaveLength(1);
    } finally {
      await a.close();
      await b.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("drops a failure repeated within one batch", async () => {
    const sink = createAlertSink({ store, webhooks: [json("/j")], retry: FAST });
    await sink.send([failure("i-03"), failure("i-03"), failure("i-04")]);
    await sink.settled();
    expect(JSON.parse(rx.received[0]!.body).count).toBe(2);
  });
});

describe("createAlertSink: grouping and formats", () => {
  it("sends one message per webhook for many events, each webhook only its kinds", async () => {
    const breakerOnly = json("/breakers", ["breaker-tripped"]);
    const sink = createAlertSink({ store, webhooks: [json("/j"), slack("/s"), breakerOnly], retry: FAST });
    const events: AlertEvent[] = Array.from({ length: 30 }, (_, i) => failure(`i-${String(i).padStart(3, "0")}`));
    events.push({ kind: "breaker-tripped", fleet: FLEET, group: "web", failures: 3, windowMinutes: 15, at: "x" });
    await sink.send(events);
    await sink.settled();
    expect(rx.received.map((r) => r.path).sort()).toEqual(["/breakers", "/j", "/s"]);

    const j = JSON.parse(rx.received.find((r) => r.path === "/j")!.body);
    expect(j).toMatchObject({ type: "fleet-doctor.alerts", version: 1, count: 31 });
    expect(j.alerts).toHaveLength(31);
    expect(j.alerts[0]).toEqual({
      kind: "new-failure",
      fleet: FLEET,
      instanceId: "i-000",
      verdict: "lifecycle-404:ready",
      group: "web",
      scanId: "scan-1",
      at: events[0]!.at,
    });
    expect(typeof j.sentAt).toBe("string");

    const s = JSON.parse(rx.received.find((r) => r.path === "/s")!.body);
    expect(s.text).toContain("30 new failing instances");
    expect(s.text).toContain("1 circuit breaker tripped");
    const blockText = JSON.stringify(s.blocks);
    expect(blockText).toContain("`i-000` lifecycle-404:ready");
    expect(blockText).toContain("and 11 more");

    const b = JSON.parse(rx.received.find((r) => r.path === "/breakers")!.body);
    expect(b.alerts).toEqual([expect.objectContaining({ kind: "breaker-tripped", group: "web" })]);

    // Nothing an instance wrote goes out: the summary is left out of both formats.
    for (const r of rx.received) expect(r.body).not.toContain("agent said");
    const log = await store.alerts.recentDeliveries();
    expect(log.map((d) => [d.webhook, d.count, d.status]).sort()).toEqual([
      ["json-breakers", 1, "delivered"],
      ["json-j", 31, "delivered"],
      ["slack", 31, "delivered"],
    ]);
  });

  it("signs the JSON body so that a receiver can verify it with the secret", async () => {
    const sink = createAlertSink({ store, webhooks: [json("/j")], retry: FAST });
    await sink.send([failure("i-05")]);
    const [r] = await rx.waitFor("/j", 1);
    const ts = String(r!.headers["x-fleet-doctor-timestamp"]);
    const sig = String(r!.headers["x-fleet-doctor-signature"]);
    // As a receiver would: HMAC-SHA256 over `${timestamp}.${raw body}`, and a timestamp close to now.
    const want = `sha256=${createHmac("sha256", SECRET).update(`${ts}.${r!.body}`).digest("hex")}`;
    expect(sig).toBe(want);
    expect(Math.abs(Date.now() / 1000 - Number(ts))).toBeLessThan(60);
    expect(r!.headers["content-type"]).toBe("application/json");
    const other = `sha256=${createHmac("sha256", "another-secret-0123456789").update(`${ts}.${r!.body}`).digest("hex")}`;
    expect(sig).not.toBe(other);
  });
});

describe("createAlertSink: retries", () => {
  it("retries a 500 and logs both attempts, the second delivered", async () => {
    rx.script("/j", [{ status: 500 }]);
    const sink = createAlertSink({ store, webhooks: [json("/j")], retry: FAST });
    await sink.send([failure("i-06")]);
    await sink.settled();
    expect(rx.received).toHaveLength(2);
    const log = (await store.alerts.recentDeliveries()).reverse();
    expect(log.map((d) => [d.attempts, d.status, d.httpStatus])).toEqual([
      [1, "retrying", 500],
      [2, "delivered", 200],
    ]);
  });

  it("never retries a 400: one attempt, failed", async () => {
    rx.script("/j", [{ status: 400 }]);
    const sink = createAlertSink({ store, webhooks: [json("/j")], retry: FAST });
    await sink.send([failure("i-07")]);
    await sink.settled();
    expect(rx.received).toHaveLength(1);
    const log = await store.alerts.recentDeliveries();
    expect(log.map((d) => [d.attempts, d.status, d.httpStatus, d.error])).toEqual([[1, "failed", 400, "HTTP 400"]]);
  });

  it("retries a 429 after its Retry-After, and stops after the last attempt", async () => {
    rx.script("/j", [
      { status: 429, headers: { "retry-after": "0" } },
      { status: 503 },
      { status: 502 },
      { status: 500 },
    ]);
    const sink = createAlertSink({ store, webhooks: [json("/j")], retry: FAST });
    await sink.send([failure("i-08")]);
    await sink.settled();
    expect(rx.received).toHaveLength(4);
    const log = (await store.alerts.recentDeliveries()).reverse();
    expect(log.map((d) => d.status)).toEqual(["retrying", "retrying", "retrying", "failed"]);
    expect(log.map((d) => d.httpStatus)).toEqual([429, 503, 502, 500]);
  });

  it("returns after the first attempt while the retries go on in the background", async () => {
    rx.script("/j", [{ status: 500 }]);
    const sink = createAlertSink({
      store,
      webhooks: [json("/j")],
      retry: { ...FAST, baseMs: 400, maxMs: 400 },
      random: () => 1,
    });
    await sink.send([failure("i-09")]);
    expect(await store.alerts.recentDeliveries()).toHaveLength(1);
    await sink.settled();
    expect(await store.alerts.recentDeliveries()).toHaveLength(2);
  });

  it("backs off exponentially with jitter, capped", () => {
    const p = { ...DEFAULT_RETRY, baseMs: 1000, maxMs: 8000 };
    expect([1, 2, 3, 4, 5].map((n) => backoffMs(n, p, () => 0))).toEqual([500, 1000, 2000, 4000, 4000]);
    expect([1, 2, 3, 4, 5].map((n) => backoffMs(n, p, () => 1))).toEqual([1000, 2000, 4000, 8000, 8000]);
    expect(backoffMs(1, p, () => 0.5, 3000)).toBe(3000);
  });
});

describe("createAlertSink: secrets", () => {
  it("never stores, logs or returns a webhook's URL or secret, even when the network fails", async () => {
    // A port nobody listens on: fetch fails with an error that may name the address.
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, "127.0.0.1", () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const token = "T0000/B0000/XXXXXXXXXXXXXXXXXXXXXXXX";
    const dead: Webhook = {
      name: "dead",
      format: "json",
      url: `http://127.0.0.1:${port}/hooks/${token}`,
      secret: SECRET,
      events: [...ALERT_KINDS],
    };
    const slackHook: Webhook = { ...slack(`/services/${token}`), name: "team-slack" };
    rx.script(`/services/${token}`, [{ status: 404 }]);
    const printed: string[] = [];
    const spies = (["log", "info", "warn", "error", "debug"] as const).map((m) =>
      vi.spyOn(console, m).mockImplementation((...args: unknown[]) => {
        printed.push(args.map((a) => (a instanceof Error ? `${a.message} ${a.stack}` : String(a))).join(" "));
      }),
    );
    try {
      const sink = createAlertSink({ store, webhooks: [dead, slackHook], retry: { ...FAST, attempts: 2 } });
      await sink.send([failure("i-10")]);
      await sink.settled();
    } finally {
      for (const s of spies) s.mockRestore();
    }
    const rows = await store.alerts.recentDeliveries();
    expect(rows.map((r) => [r.webhook, r.status]).sort()).toEqual([
      ["dead", "failed"],
      ["dead", "retrying"],
      ["team-slack", "failed"],
    ]);
    expect(rows.find((r) => r.webhook === "dead")!.error).toBe("network error (ECONNREFUSED)");
    expect(printed.join("\n")).toContain("'dead'");
    const { alertsOverview } = await import("./alerts-overview.ts");
    const api = JSON.stringify(await alertsOverview(store, [dead, slackHook]));
    expect(api).toContain("team-slack");
    for (const text of [JSON.stringify(rows), printed.join("\n"), api]) {
      for (const secret of [SECRET, token, String(port), "127.0.0.1", "/hooks/"]) expect(text).not.toContain(secret);
    }
  });
});
