/**
 * EC2's own query protocol (ec2Query, Version 2016-11-15): form-encoded requests whose lists are flattened and
 * 1-based (`LaunchTemplateVersion.1=$Latest`, `Filter.1.Name=name`, `Filter.1.Value.1=...`, structures as
 * `LaunchTemplateData.UserData=...`), answered with `<OpResponse xmlns=...><requestId>..</requestId>...` (no Result
 * wrapper, lower-camel element names, lists of `<item>`), and errors as
 * `<Response><Errors><Error><Code>..</Code><Message>..</Message></Error></Errors><RequestID>..</RequestID></Response>`.
 */
import { xmlEscape } from "../protocol/query.ts";

export const EC2_VERSION = "2016-11-15";
export const EC2_NAMESPACE = `http://ec2.amazonaws.com/doc/${EC2_VERSION}/`;

/** A view of the form parameters under a prefix (`LaunchTemplateData.` ...). */
export class Ec2Params {
  constructor(readonly map: Map<string, string>) {}

  static parse(body: string): Ec2Params {
    const map = new Map<string, string>();
    for (const [k, v] of new URLSearchParams(body)) map.set(k, v);
    return new Ec2Params(map);
  }

  str(name: string): string | undefined {
    return this.map.get(name);
  }

  /** `Name.1`, `Name.2`, ... */
  list(name: string): string[] | undefined {
    const out: string[] = [];
    for (let i = 1; this.map.has(`${name}.${i}`); i++) out.push(this.map.get(`${name}.${i}`)!);
    return out.length > 0 ? out : undefined;
  }

  /** The parameters under `prefix.` as their own reader. */
  sub(prefix: string): Ec2Params | undefined {
    const sub = new Map<string, string>();
    for (const [k, v] of this.map) if (k.startsWith(`${prefix}.`)) sub.set(k.slice(prefix.length + 1), v);
    return sub.size > 0 ? new Ec2Params(sub) : undefined;
  }

  /** `Filter.1.Name` / `Filter.1.Value.1` ... */
  filters(): { name: string; values: string[] }[] {
    const out: { name: string; values: string[] }[] = [];
    for (let i = 1; this.map.has(`Filter.${i}.Name`); i++)
      out.push({ name: this.map.get(`Filter.${i}.Name`)!, values: this.sub(`Filter.${i}`)?.list("Value") ?? [] });
    return out;
  }

  toJSON(): Record<string, string> {
    return Object.fromEntries(this.map);
  }
}

/** An element value: undefined is left out, arrays are `<item>` lists, Dates ISO 8601, objects nest. */
export type Ec2Xml = string | number | boolean | Date | undefined | Ec2Xml[] | { [k: string]: Ec2Xml };

export function ec2Xml(value: Ec2Xml): string {
  if (value === undefined) return "";
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((v) => `<item>${ec2Xml(v)}</item>`).join("");
  if (typeof value === "object")
    return Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `<${k}>${ec2Xml(v)}</${k}>`)
      .join("");
  return xmlEscape(String(value));
}

export function ec2Response(op: string, requestId: string, body: { [k: string]: Ec2Xml }): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${op}Response xmlns="${EC2_NAMESPACE}"><requestId>${requestId}</requestId>${ec2Xml(body)}</${op}Response>\n`;
}

export function ec2Error(requestId: string, code: string, message: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${xmlEscape(code)}</Code><Message>${xmlEscape(message)}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>\n`;
}
