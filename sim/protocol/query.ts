/**
 * awsQuery requests (form-encoded `Action=...&Version=...&InstanceIds.member.1=...`) and XML answers with the
 * `<OpResponse><OpResult>` wrapper and `<member>` lists, as the Auto Scaling query protocol has them.
 */
import { AwsError } from "./errors.ts";

export class QueryParams {
  constructor(readonly map: Map<string, string>) {}

  static parse(body: string): QueryParams {
    const map = new Map<string, string>();
    for (const [k, v] of new URLSearchParams(body)) map.set(k, v);
    return new QueryParams(map);
  }

  str(name: string): string | undefined {
    return this.map.get(name);
  }

  int(name: string): number | undefined {
    const v = this.map.get(name);
    if (v === undefined || v === "") return undefined;
    if (!/^-?\d+$/.test(v))
      throw new AwsError(
        "ValidationError",
        `Value '${v}' at '${lowerFirst(name)}' failed to satisfy constraint: Member must be an integer`,
      );
    return Number(v);
  }

  bool(name: string): boolean | undefined {
    const v = this.map.get(name);
    if (v === undefined || v === "") return undefined;
    if (v !== "true" && v !== "false")
      throw new AwsError(
        "ValidationError",
        `Value '${v}' at '${lowerFirst(name)}' failed to satisfy constraint: Member must be a boolean`,
      );
    return v === "true";
  }

  /** `Name.member.1`, `Name.member.2`, ... (an empty list is sent as `Name=`). */
  list(name: string): string[] | undefined {
    if (!this.hasPrefix(`${name}.member.`)) return this.map.has(name) ? [] : undefined;
    const out: string[] = [];
    for (let i = 1; this.map.has(`${name}.member.${i}`); i++) out.push(this.map.get(`${name}.member.${i}`)!);
    return out;
  }

  /** A list of structures: `Filters.member.1.Name`, `Filters.member.1.Values.member.1`, ... as sub-readers. */
  structs(name: string): QueryParams[] | undefined {
    if (!this.hasPrefix(`${name}.member.`)) return this.map.has(name) ? [] : undefined;
    const out: QueryParams[] = [];
    for (let i = 1; this.hasPrefix(`${name}.member.${i}.`); i++) {
      const prefix = `${name}.member.${i}.`;
      const sub = new Map<string, string>();
      for (const [k, v] of this.map) if (k.startsWith(prefix)) sub.set(k.slice(prefix.length), v);
      out.push(new QueryParams(sub));
    }
    return out;
  }

  /** The members of a structure parameter (`LaunchTemplate.LaunchTemplateId`, ...) as their own reader. */
  sub(name: string): QueryParams | undefined {
    const prefix = `${name}.`;
    const sub = new Map<string, string>();
    for (const [k, v] of this.map) if (k.startsWith(prefix)) sub.set(k.slice(prefix.length), v);
    return sub.size > 0 ? new QueryParams(sub) : undefined;
  }

  /** A plain object of the parameters, for the call log. */
  toJSON(): Record<string, string> {
    return Object.fromEntries(this.map);
  }

  private hasPrefix(prefix: string): boolean {
    for (const k of this.map.keys()) if (k.startsWith(prefix)) return true;
    return false;
  }
}

export const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

export function xmlEscape(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c]!);
}

/** A value renders as an element; undefined leaves it out; arrays become `<member>` lists; Dates ISO 8601. */
export type XmlValue = string | number | boolean | Date | undefined | XmlValue[] | { [k: string]: XmlValue };

export function xml(value: XmlValue): string {
  if (value === undefined) return "";
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((v) => `<member>${xml(v)}</member>`).join("");
  if (typeof value === "object") {
    return Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `<${k}>${xml(v)}</${k}>`)
      .join("");
  }
  return xmlEscape(String(value));
}

export function queryResponse(op: string, namespace: string, requestId: string, result: XmlValue | null): string {
  const body = result === null ? "" : `<${op}Result>${xml(result)}</${op}Result>`;
  return `<?xml version="1.0"?>\n<${op}Response xmlns="${namespace}">${body}<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${op}Response>\n`;
}

export function queryError(
  namespace: string,
  requestId: string,
  code: string,
  message: string,
  status: number,
): string {
  const type = status >= 500 ? "Receiver" : "Sender";
  return `<?xml version="1.0"?>\n<ErrorResponse xmlns="${namespace}"><Error><Type>${type}</Type><Code>${xmlEscape(code)}</Code><Message>${xmlEscape(message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>\n`;
}
