/**
 * Switchable faults: per-operation throttling (token bucket, requests per second), added latency and a rate of
 * server errors. Set at start (CLI flags) and at run time (POST /_sim/faults). The server asks `decide(op)` once per
 * AWS request and turns the answer into the protocol's own error.
 */
export type FaultSettings = {
  /** Operation name -> requests per second allowed (burst = one second's worth, at least 1). 0 throttles all. */
  throttle?: Record<string, number>;
  /** Milliseconds added before every answer (of `ops` when given). */
  latencyMs?: number;
  /** Share of requests (0..1) answered with a 5xx (of `ops` when given). */
  errorRate?: number;
  /** Limits latency and errorRate to these operations; throttling is always per operation. */
  ops?: string[];
  /** Operations the caller's credentials are not allowed: answered AccessDenied (an IAM policy that lacks them). */
  deny?: string[];
};

export type FaultDecision = {
  latencyMs: number;
  outcome: "ok" | "throttle" | "server-error" | "unavailable" | "denied";
};

type Bucket = { rate: number; tokens: number; at: number };

export class Faults {
  private settings: FaultSettings = {};
  private buckets = new Map<string, Bucket>();

  constructor(
    initial: FaultSettings = {},
    private readonly random: () => number = Math.random,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.set(initial);
  }

  /** Replaces all settings (a missing field turns that fault off). */
  set(settings: FaultSettings): void {
    this.settings = normalise(settings);
    this.buckets.clear();
  }

  get(): FaultSettings {
    return structuredClone(this.settings);
  }

  /**
   * `scope` is the fleet (`<account>/<region>`) the call acts on: as AWS's own limits, a throttle's token bucket is
   * per account and region, so one fleet spending its rate never throttles another's calls.
   */
  decide(op: string, scope = ""): FaultDecision {
    const s = this.settings;
    const applies = !s.ops || s.ops.length === 0 || s.ops.includes(op);
    const latencyMs = applies ? (s.latencyMs ?? 0) : 0;
    // IAM is decided before throttling: a denied call never spends a token.
    if (s.deny?.includes(op)) return { latencyMs, outcome: "denied" };
    const rate = s.throttle?.[op];
    if (rate !== undefined && !this.take(`${scope}\u0000${op}`, rate)) return { latencyMs, outcome: "throttle" };
    if (applies && s.errorRate && this.random() < s.errorRate) {
      // Mostly 500s with some 503s, as a struggling endpoint answers.
      return { latencyMs, outcome: this.random() < 0.5 ? "server-error" : "unavailable" };
    }
    return { latencyMs, outcome: "ok" };
  }

  private take(key: string, rate: number): boolean {
    if (rate <= 0) return false;
    const now = this.now();
    const burst = Math.max(1, rate);
    let b = this.buckets.get(key);
    if (!b || b.rate !== rate) {
      b = { rate, tokens: burst, at: now };
      this.buckets.set(key, b);
    }
    b.tokens = Math.min(burst, b.tokens + ((now - b.at) / 1000) * rate);
    b.at = now;
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }
}

/** Checks settings from a flag or a control request; throws a plain Error naming the bad field. */
export function normalise(input: unknown): FaultSettings {
  if (input === null || typeof input !== "object" || Array.isArray(input)) throw new Error("faults must be an object");
  const o = input as Record<string, unknown>;
  const out: FaultSettings = {};
  if (o.throttle !== undefined && o.throttle !== null) {
    if (typeof o.throttle !== "object" || Array.isArray(o.throttle)) throw new Error("throttle must be an object");
    out.throttle = {};
    for (const [op, rps] of Object.entries(o.throttle as Record<string, unknown>)) {
      if (typeof rps !== "number" || !Number.isFinite(rps) || rps < 0)
        throw new Error(`throttle.${op} must be a number >= 0 (requests per second)`);
      out.throttle[op] = rps;
    }
  }
  if (o.latencyMs !== undefined && o.latencyMs !== null) {
    if (typeof o.latencyMs !== "number" || !Number.isFinite(o.latencyMs) || o.latencyMs < 0 || o.latencyMs > 60_000)
      throw new Error("latencyMs must be a number between 0 and 60000");
    out.latencyMs = o.latencyMs;
  }
  if (o.errorRate !== undefined && o.errorRate !== null) {
    if (typeof o.errorRate !== "number" || !(o.errorRate >= 0 && o.errorRate <= 1))
      throw new Error("errorRate must be a number between 0 and 1");
    out.errorRate = o.errorRate;
  }
  if (o.ops !== undefined && o.ops !== null) {
    if (!Array.isArray(o.ops) || o.ops.some((x) => typeof x !== "string"))
      throw new Error("ops must be a list of operation names");
    out.ops = o.ops as string[];
  }
  if (o.deny !== undefined && o.deny !== null) {
    if (!Array.isArray(o.deny) || o.deny.some((x) => typeof x !== "string"))
      throw new Error("deny must be a list of operation names");
    out.deny = o.deny as string[];
  }
  return out;
}

/** `SendCommand=5,DescribeInstanceInformation=2` -> { SendCommand: 5, DescribeInstanceInformation: 2 }. */
export function parseThrottleFlag(flag: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of flag
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean)) {
    const m = /^([A-Za-z]+)=(\d+(?:\.\d+)?)$/.exec(part);
    if (!m) throw new Error(`--throttle: '${part}' is not Operation=requestsPerSecond`);
    out[m[1]!] = Number(m[2]);
  }
  return out;
}
