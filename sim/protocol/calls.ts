/**
 * The log of AWS calls the simulator received, so tests wait on calls (GET /_sim/calls?since=) instead of sleeping.
 * Bounded: old entries fall off, sequence numbers keep counting.
 */
export type CallService = "ssm" | "autoscaling" | "sts" | "ecs" | "organizations";

export type Call = {
  seq: number;
  op: string;
  service: CallService;
  /** The caller's account (its access key's) and the region it signed for. */
  account?: string;
  region?: string;
  at: string;
  params: unknown;
  status?: number;
  error?: string;
};

export class CallLog {
  private calls: Call[] = [];
  private seq = 0;

  constructor(private readonly max = 20_000) {}

  add(service: CallService, op: string, params: unknown, where?: { account: string; region: string }): Call {
    const call: Call = { seq: ++this.seq, op, service, ...where, at: new Date().toISOString(), params };
    this.calls.push(call);
    if (this.calls.length > this.max) this.calls.splice(0, this.calls.length - this.max);
    return call;
  }

  list(opts: { since?: number; op?: string; limit?: number; account?: string; region?: string } = {}): Call[] {
    const since = opts.since ?? 0;
    let out = this.calls.filter(
      (c) =>
        c.seq > since &&
        (!opts.op || c.op === opts.op) &&
        (!opts.account || c.account === opts.account) &&
        (!opts.region || c.region === opts.region),
    );
    if (opts.limit !== undefined) out = out.slice(0, opts.limit);
    return out;
  }

  lastSeq(): number {
    return this.seq;
  }

  clear(): void {
    this.calls = [];
  }
}
