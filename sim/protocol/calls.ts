/**
 * The log of AWS calls the simulator received, so tests wait on calls (GET /_sim/calls?since=) instead of sleeping.
 * Bounded: old entries fall off, sequence numbers keep counting.
 */
export type Call = {
  seq: number;
  op: string;
  service: "ssm" | "autoscaling" | "sts" | "ecs" | "ec2";
  at: string;
  params: unknown;
  status?: number;
  error?: string;
};

export class CallLog {
  private calls: Call[] = [];
  private seq = 0;

  constructor(private readonly max = 20_000) {}

  add(service: Call["service"], op: string, params: unknown): Call {
    const call: Call = { seq: ++this.seq, op, service, at: new Date().toISOString(), params };
    this.calls.push(call);
    if (this.calls.length > this.max) this.calls.splice(0, this.calls.length - this.max);
    return call;
  }

  list(opts: { since?: number; op?: string; limit?: number } = {}): Call[] {
    const since = opts.since ?? 0;
    let out = this.calls.filter((c) => c.seq > since && (!opts.op || c.op === opts.op));
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
