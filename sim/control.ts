/**
 * The control API under /_sim/ (JSON): reset, load a scenario, inspect hosts, attach or detach a host, set faults,
 * scale groups out (launch, move warm-pool instances to InService, pause the scenario's schedules), and read the log
 * of AWS calls so that tests wait on calls, not on sleeps. Errors use the same AWS JSON shape.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { type Faults, normalise } from "./faults.ts";
import { type Fleet, FleetError, type FleetScaling, type LaunchInto } from "./fleet-types.ts";
import type { CallLog } from "./protocol/calls.ts";

export type ScenarioSpec = { name?: string; path?: string; scenario?: unknown };

export interface ControlRuntime {
  fleet(): Fleet;
  /** Every fleet (account and region) of the scenario, the default one first. */
  fleets(): { account: string; region: string; fleet: Fleet }[];
  faults: Faults;
  calls: CallLog;
  /** Fresh fleet from the current scenario, no commands, no calls, the start-up faults. */
  reset(): Promise<void>;
  /** Replaces the fleet with another scenario (by name, path or inline object). */
  loadScenario(spec: ScenarioSpec): Promise<void>;
}

class ControlError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

function json(res: ServerResponse, status: number, body: unknown, requestId: string): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "Content-Type": "application/json",
    "x-amzn-RequestId": requestId,
    "Content-Length": String(Buffer.byteLength(text)),
  });
  res.end(text);
}

function parseJson(body: Buffer): Record<string, unknown> {
  const text = body.toString("utf8");
  if (text.trim() === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ControlError("SerializationException", "The request body is not valid JSON.");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    throw new ControlError("SerializationException", "The request body must be a JSON object.");
  return parsed as Record<string, unknown>;
}

function hostOr404(fleet: Fleet, id: string): Record<string, unknown> {
  const d = fleet.describe(id);
  if (!d) throw new ControlError("NotFound", `No host ${id}.`, 404);
  return d;
}

function intParam(url: URL, name: string): number | undefined {
  const v = url.searchParams.get(name);
  if (v === null || v === "") return undefined;
  if (!/^\d+$/.test(v)) throw new ControlError("ValidationException", `${name} must be a non-negative integer.`);
  return Number(v);
}

/** Refuses fields the endpoint does not know, naming them (a typo must not be silently ignored). */
function onlyFields(b: Record<string, unknown>, allowed: string[]): void {
  const unknown = Object.keys(b).filter((k) => !allowed.includes(k));
  if (unknown.length)
    throw new ControlError(
      "ValidationException",
      `Unknown field ${unknown.map((k) => `'${k}'`).join(", ")} (expected ${allowed.join(", ")}).`,
    );
}

/** `count`: an integer from 1 to 100, 1 when absent. */
function countField(b: Record<string, unknown>): number {
  if (b.count === undefined) return 1;
  if (typeof b.count !== "number" || !Number.isInteger(b.count) || b.count < 1 || b.count > 100)
    throw new ControlError("ValidationException", "count must be an integer from 1 to 100.");
  return b.count;
}

function scalingOf(fleet: Fleet): FleetScaling {
  if (!fleet.scaling) throw new ControlError("NotImplemented", "This fleet does not scale.", 501);
  return fleet.scaling;
}

/**
 * The fleet an endpoint acts on: the default one, or the one `?account=<12 digits>&region=<region>` names (either
 * may be left out: the default fleet's then).
 */
function selected(rt: ControlRuntime, url: URL): Fleet {
  const account = url.searchParams.get("account");
  const region = url.searchParams.get("region");
  if (account === null && region === null) return rt.fleet();
  if (account !== null && !/^\d{12}$/.test(account))
    throw new ControlError("ValidationException", "account must be 12 digits.");
  if (region !== null && !/^[a-z]{2}(-[a-z]+)+-\d$/.test(region))
    throw new ControlError("ValidationException", "region must be a region like us-east-1.");
  const all = rt.fleets();
  const home = all[0]!;
  const want = { account: account ?? home.account, region: region ?? home.region };
  const found = all.find((f) => f.account === want.account && f.region === want.region);
  if (!found) throw new ControlError("NotFound", `No fleet ${want.account}/${want.region} in this scenario.`, 404);
  return found.fleet;
}

async function dispatch(rt: ControlRuntime, method: string, parts: string[], url: URL, body: Buffer): Promise<unknown> {
  const [first, id] = parts;
  const param = (p: string, i: number) =>
    i === 1 && first === "hosts" ? ":id" : i === 1 && first === "groups" ? ":name" : p;
  const route = `${method} ${parts.map(param).join("/")}`;
  switch (route) {
    case "GET health":
      return { ok: true, hosts: selected(rt, url).hosts().length };
    case "GET fleets":
      return {
        fleets: rt.fleets().map((f) => ({
          id: `${f.account}/${f.region}`,
          account: f.account,
          region: f.region,
          hosts: f.fleet.hosts().length,
        })),
      };
    case "POST reset":
      await rt.reset();
      return { ok: true, hosts: rt.fleet().hosts().length };
    case "POST scenario": {
      const b = parseJson(body);
      const spec: ScenarioSpec = {};
      if (typeof b.name === "string") spec.name = b.name;
      else if (typeof b.path === "string") spec.path = b.path;
      else if (b.scenario && typeof b.scenario === "object") spec.scenario = b.scenario;
      else
        throw new ControlError("ValidationException", "Give one of name (string), path (string) or scenario (object).");
      await rt.loadScenario(spec);
      return { ok: true, hosts: rt.fleet().hosts().length };
    }
    case "GET hosts": {
      const fleet = selected(rt, url);
      return { hosts: fleet.hosts().map((h) => fleet.describe(h.instanceId) ?? { instanceId: h.instanceId }) };
    }
    case "GET hosts/:id":
      return hostOr404(selected(rt, url), id!);
    case "POST hosts/:id/attach": {
      const fleet = selected(rt, url);
      hostOr404(fleet, id!);
      const b = parseJson(body);
      if (typeof b.group !== "string" || b.group === "")
        throw new ControlError("ValidationException", "group (string) is required.");
      fleet.attach(b.group, [id!]);
      return hostOr404(fleet, id!);
    }
    case "POST hosts/:id/detach": {
      const fleet = selected(rt, url);
      hostOr404(fleet, id!);
      const b = parseJson(body);
      const group = typeof b.group === "string" ? b.group : fleet.membership(id!)?.group;
      if (!group) throw new ControlError("ValidationException", `Host ${id} is in no group.`);
      fleet.detach(group, [id!], b.decrement === true);
      return hostOr404(fleet, id!);
    }
    case "GET groups": {
      const scaling = scalingOf(selected(rt, url));
      return { paused: scaling.paused(), groups: scaling.describeGroups() };
    }
    case "POST groups/:name/launch": {
      const b = parseJson(body);
      onlyFields(b, ["count", "into"]);
      const count = countField(b);
      const into = b.into ?? "in-service";
      if (into !== "in-service" && into !== "warm-pool")
        throw new ControlError("ValidationException", 'into must be "in-service" or "warm-pool".');
      const fleet = selected(rt, url);
      const ids = scalingOf(fleet).launch(id!, count, into as LaunchInto);
      return { launched: ids.map((i) => hostOr404(fleet, i)) };
    }
    case "POST groups/:name/warm-pool/move": {
      const b = parseJson(body);
      onlyFields(b, ["count"]);
      const fleet = selected(rt, url);
      const ids = scalingOf(fleet).moveToInService(id!, countField(b));
      return { moved: ids.map((i) => hostOr404(fleet, i)) };
    }
    case "GET scale":
      return { paused: scalingOf(selected(rt, url)).paused() };
    case "POST scale": {
      const b = parseJson(body);
      onlyFields(b, ["paused"]);
      if (typeof b.paused !== "boolean")
        throw new ControlError("ValidationException", "paused (true or false) is required.");
      const scaling = scalingOf(selected(rt, url));
      scaling.setPaused(b.paused);
      return { paused: scaling.paused() };
    }
    case "GET faults":
      return rt.faults.get();
    case "POST faults": {
      try {
        rt.faults.set(normalise(parseJson(body)));
      } catch (e) {
        if (e instanceof ControlError) throw e;
        throw new ControlError("ValidationException", (e as Error).message);
      }
      return rt.faults.get();
    }
    case "GET calls": {
      const since = intParam(url, "since");
      const limit = intParam(url, "limit");
      const op = url.searchParams.get("op") ?? undefined;
      const account = url.searchParams.get("account") ?? undefined;
      const region = url.searchParams.get("region") ?? undefined;
      return { calls: rt.calls.list({ since, op, limit, account, region }), lastSeq: rt.calls.lastSeq() };
    }
    case "DELETE calls":
      rt.calls.clear();
      return { ok: true, lastSeq: rt.calls.lastSeq() };
    default:
      throw new ControlError("NotFound", `No control endpoint ${method} /_sim/${parts.join("/")}.`, 404);
  }
}

export async function handleControl(
  rt: ControlRuntime,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  body: Buffer,
  requestId: string,
): Promise<void> {
  const parts = url.pathname
    .replace(/^\/_sim\/?/, "")
    .split("/")
    .filter(Boolean)
    .map((p) => decodeURIComponent(p));
  try {
    json(res, 200, await dispatch(rt, req.method ?? "GET", parts, url, body), requestId);
  } catch (e) {
    if (e instanceof ControlError) return json(res, e.status, { __type: e.code, message: e.message }, requestId);
    if (e instanceof FleetError)
      return json(res, e.code === "NotFound" ? 404 : 400, { __type: e.code, message: e.message }, requestId);
    console.error(`[sim] control request ${requestId} failed:`, e);
    json(
      res,
      500,
      {
        __type: "InternalServerError",
        message: `Internal error (request ${requestId}): ${(e as Error)?.message ?? e}`,
      },
      requestId,
    );
  }
}
