import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type WebhookReceiver, webhookReceiver } from "@/test/helpers/webhook-receiver.ts";

// The route reads config() and getStore() once per process: set the environment before loading them.
const dir = mkdtempSync(path.join(tmpdir(), "fd-api-alerts-"));
process.env.FLEET_DOCTOR_DB = path.join(dir, "api.db");
process.env.FLEET_DOCTOR_AUTH = "none";

const SECRET = "hmac-secret-that-must-never-show-0001";
const TOKEN = "T0SECRET/B0SECRET/slacktokenthatmustnotshow";
let rx: WebhookReceiver;

beforeAll(async () => {
  rx = await webhookReceiver();
  process.env.FLEET_DOCTOR_WEBHOOKS = JSON.stringify([
    { name: "ops-json", format: "json", url: rx.url(`/in/${TOKEN}`), secret: SECRET },
    { name: "team-slack", format: "slack", url: rx.url(`/services/${TOKEN}`), events: ["breaker-tripped"] },
  ]);
});

afterAll(async () => {
  await rx.close();
  await (await import("@/lib/store/index.ts")).getStore().close();
  rmSync(dir, { recursive: true, force: true });
});

describe("GET /api/alerts", () => {
  it("shows the webhooks by name, format and events and the delivery log, never a URL or a secret", async () => {
    rx.script(`/in/${TOKEN}`, [{ status: 500 }]);
    const printed: string[] = [];
    const spies = (["log", "info", "warn", "error", "debug"] as const).map((m) =>
      vi.spyOn(console, m).mockImplementation((...args: unknown[]) => {
        printed.push(args.map(String).join(" "));
      }),
    );
    let body = "";
    try {
      const { alertSink } = await import("@/lib/alerts/process-sink.ts");
      const sink = alertSink();
      await sink.send([
        {
          kind: "new-failure",
          fleet: "123456789012/us-east-1",
          instanceId: "i-0123456789abcdef0",
          verdict: "agent-failed",
          summary: "agent failed",
          scanId: "s",
          at: new Date().toISOString(),
        },
      ]);
      await sink.settled();
      const route = await import("./alerts/route.ts");
      const res = await route.GET(new Request("http://fleet.test/api/alerts"));
      expect(res.status).toBe(200);
      body = await res.text();
    } finally {
      for (const s of spies) s.mockRestore();
    }
    const parsed = JSON.parse(body) as { webhooks: unknown[]; deliveries: { webhook: string; status: string }[] };
    expect(parsed.webhooks).toEqual([
      { name: "ops-json", format: "json", events: ["new-failure", "automatic-action", "breaker-tripped"] },
      { name: "team-slack", format: "slack", events: ["breaker-tripped"] },
    ]);
    expect(parsed.deliveries.map((d) => [d.webhook, d.status])).toEqual([
      ["ops-json", "delivered"],
      ["ops-json", "retrying"],
    ]);
    const { getStore } = await import("@/lib/store/index.ts");
    const stored = JSON.stringify(await getStore().alerts.recentDeliveries(500));
    for (const text of [body, stored, printed.join("\n")]) {
      for (const secret of [SECRET, TOKEN, "SECRET", rx.url("/")]) expect(text).not.toContain(secret);
    }
  });

  it("refuses a bad limit naming the field", async () => {
    const route = await import("./alerts/route.ts");
    const res = await route.GET(new Request("http://fleet.test/api/alerts?limit=0"));
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toContain("limit");
  });
});
