import { gunzipSync, gzipSync } from "node:zlib";

/**
 * User data as cloud-init sees it, kept as a tree so that a fix can change one leaf and write everything else back
 * byte for byte: gzip stays gzip, a MIME multipart keeps its headers, boundaries and other parts.
 */
export type LeafType = "shellscript" | "cloud-config" | "boothook" | "include" | "other";

export type Leaf = {
  kind: "leaf";
  /** Stable id of this leaf in the tree (`0`, `0.2`, `0.2.1`): what an edit names. */
  id: string;
  /** Where it is, as shown to an operator: `user data`, `mime part 2`, `mime part 2.1`. */
  label: string;
  type: LeafType;
  /** The MIME content type when the leaf is a MIME part. */
  contentType?: string;
  text: string;
  orig: Buffer;
};

export type MimePart = {
  /** Offsets of the body inside the multipart's `raw` text. */
  bodyStart: number;
  bodyEnd: number;
  base64: boolean;
  child: UserDataNode;
};

export type UserDataNode =
  | { kind: "gzip"; child: UserDataNode; orig: Buffer }
  | { kind: "multipart"; raw: string; parts: MimePart[]; orig: Buffer }
  | Leaf;

export type DecodedUserData = { root: UserDataNode; leaves: Leaf[] };

/** cloud-init's content types, and the first-line markers it sniffs when a part does not say. */
const TYPES: Record<string, LeafType> = {
  "text/x-shellscript": "shellscript",
  "text/cloud-config": "cloud-config",
  "text/cloud-boothook": "boothook",
  "text/x-include-url": "include",
  "text/x-include-once-url": "include",
};

function sniff(text: string): LeafType {
  const head = text.slice(0, 64);
  if (head.startsWith("#!")) return "shellscript";
  if (head.startsWith("#cloud-config")) return "cloud-config";
  if (head.startsWith("#cloud-boothook")) return "boothook";
  if (head.startsWith("#include")) return "include";
  return "other";
}

const isGzip = (b: Buffer) => b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;

/** The header block (up to the first blank line) of a MIME entity, unfolded, names lower-cased. */
function readHeaders(text: string): { headers: Map<string, string>; bodyStart: number } | undefined {
  const m = /\r?\n\r?\n/.exec(text);
  if (!m) return undefined;
  const block = text.slice(0, m.index).replace(/\r?\n[ \t]+/g, " ");
  const headers = new Map<string, string>();
  for (const line of block.split(/\r?\n/)) {
    const i = line.indexOf(":");
    if (i <= 0) return undefined;
    headers.set(line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim());
  }
  return { headers, bodyStart: m.index + m[0].length };
}

function boundaryOf(contentType: string): string | undefined {
  const m = /;\s*boundary\s*=\s*(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return m ? (m[1] ?? m[2]) : undefined;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function decodeMultipart(
  raw: string,
  bodyStart: number,
  boundary: string,
  id: string,
  label: string,
  leaves: Leaf[],
): MimePart[] {
  // A delimiter is `--boundary` at the start of a line; the CRLF before it belongs to the delimiter, not the body.
  const re = new RegExp(`(^|\\r?\\n)--${escapeRe(boundary)}(--)?[ \\t]*(?=\\r?\\n|$)`, "gm");
  re.lastIndex = bodyStart;
  const delims: { start: number; end: number; last: boolean }[] = [];
  for (let m = re.exec(raw); m; m = re.exec(raw)) {
    delims.push({ start: m.index, end: m.index + m[0].length, last: m[2] === "--" });
    if (m[2] === "--") break;
  }
  const parts: MimePart[] = [];
  for (let i = 0; i + 1 < delims.length; i++) {
    const d = delims[i]!;
    if (d.last) break;
    const entityStart = raw.slice(d.end).match(/^\r?\n/)?.[0].length ?? 0;
    const start = d.end + entityStart;
    const end = delims[i + 1]!.start;
    const entity = raw.slice(start, end);
    const h = readHeaders(entity) ?? { headers: new Map<string, string>(), bodyStart: 0 };
    const n = parts.length + 1;
    const partId = `${id}.${n}`;
    const partLabel = label === "user data" ? `mime part ${n}` : `${label}.${n}`;
    const base64 = (h.headers.get("content-transfer-encoding") ?? "").toLowerCase() === "base64";
    const bodyText = entity.slice(h.bodyStart);
    const bytes = base64 ? Buffer.from(bodyText.replace(/\s+/g, ""), "base64") : Buffer.from(bodyText, "utf8");
    const child = decodeNode(bytes, partId, partLabel, leaves, h.headers.get("content-type") ?? "text/plain");
    parts.push({ bodyStart: start + h.bodyStart, bodyEnd: end, base64, child });
  }
  return parts;
}

function decodeNode(bytes: Buffer, id: string, label: string, leaves: Leaf[], contentType?: string): UserDataNode {
  if (isGzip(bytes)) {
    return { kind: "gzip", child: decodeNode(gunzipSync(bytes), id, label, leaves, contentType), orig: bytes };
  }
  const text = bytes.toString("utf8");
  const ctype = contentType?.split(";")[0]?.trim().toLowerCase();
  // A whole user data that is MIME starts with its headers; a part says multipart in its own Content-Type.
  const h = contentType === undefined ? readHeaders(text) : undefined;
  const ownType = h?.headers.get("content-type") ?? contentType ?? "";
  if (/^multipart\//i.test(ownType.trim())) {
    const boundary = boundaryOf(ownType);
    if (boundary) {
      const parts = decodeMultipart(text, h?.bodyStart ?? 0, boundary, id, label, leaves);
      return { kind: "multipart", raw: text, parts, orig: bytes };
    }
  }
  // cloud-init sniffs the first line of text/plain (and untyped) parts.
  const type = ctype && ctype in TYPES ? TYPES[ctype]! : sniff(text);
  const leaf: Leaf = {
    kind: "leaf",
    id,
    label,
    type,
    ...(ctype ? { contentType: ctype } : {}),
    text,
    orig: bytes,
  };
  leaves.push(leaf);
  return leaf;
}

/** Decodes base64 user data (as launch templates and launch configurations return it). Throws on bad input. */
export function decodeUserData(base64: string): DecodedUserData {
  const clean = base64.replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean) || clean.length % 4 === 1) throw new Error("user data is not base64");
  const leaves: Leaf[] = [];
  const root = decodeNode(Buffer.from(clean, "base64"), "0", "user data", leaves);
  return { root, leaves };
}

function wrap76(s: string, eol: string): string {
  return (s.match(/.{1,76}/g) ?? [""]).join(eol);
}

/** The node's bytes with the given leaves' text replaced; untouched subtrees keep their original bytes. */
function encodeNode(node: UserDataNode, edits: ReadonlyMap<string, string>): { bytes: Buffer; changed: boolean } {
  if (node.kind === "leaf") {
    const text = edits.get(node.id);
    return text === undefined || text === node.text
      ? { bytes: node.orig, changed: false }
      : { bytes: Buffer.from(text, "utf8"), changed: true };
  }
  if (node.kind === "gzip") {
    const inner = encodeNode(node.child, edits);
    return inner.changed ? { bytes: gzipSync(inner.bytes), changed: true } : { bytes: node.orig, changed: false };
  }
  let out = "";
  let at = 0;
  let changed = false;
  for (const part of node.parts) {
    const inner = encodeNode(part.child, edits);
    if (!inner.changed) continue;
    changed = true;
    const old = node.raw.slice(part.bodyStart, part.bodyEnd);
    let body: string;
    if (part.base64) {
      const eol = old.includes("\r\n") ? "\r\n" : "\n";
      const wrapped = /\r?\n./.test(old.trimEnd());
      const b64 = inner.bytes.toString("base64");
      body = (wrapped ? wrap76(b64, eol) : b64) + (/\r?\n$/.exec(old)?.[0] ?? "");
    } else {
      body = inner.bytes.toString("utf8");
    }
    out += node.raw.slice(at, part.bodyStart) + body;
    at = part.bodyEnd;
  }
  if (!changed) return { bytes: node.orig, changed: false };
  out += node.raw.slice(at);
  return { bytes: Buffer.from(out, "utf8"), changed: true };
}

/** The user data, base64 again, with leaves replaced (by leaf id); the same base64 when nothing changed. */
export function encodeUserData(decoded: DecodedUserData, edits: ReadonlyMap<string, string>): string {
  return encodeNode(decoded.root, edits).bytes.toString("base64");
}

/** The layers of the user data as words, for evidence (`gzip, mime (3 parts)`). */
export function describeLayers(node: UserDataNode): string {
  if (node.kind === "gzip") return `gzip, ${describeLayers(node.child)}`;
  if (node.kind === "multipart") return `mime (${node.parts.length} parts)`;
  return node.type;
}
