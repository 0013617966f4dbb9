import { readFileSync } from "node:fs";
import { NEEDS_ATTENTION } from "../../lib/diagnosis/catalogue.ts";
import { type DiagnosisFacts, diagnose } from "../../lib/diagnosis/diagnose.ts";
import type { Diagnosis, EvidenceSource } from "../../lib/diagnosis/types.ts";
import { FleetDoctorError } from "../../lib/errors.ts";
import { parseProbeOutput } from "../../lib/probe/report.ts";
import type { Command } from "../cli.ts";
import { parseFlags } from "../flags.ts";

const USAGE = `Usage: fleet-doctor diagnose [FILE|-] [--json] [--group NAME --lifecycle STATE]

Reads one probe output (the JSON line probe.sh prints, or the Output SSM returns for it) from FILE or stdin and
prints the diagnosis: verdict, summary, evidence with its sources, and remedies with their commands.

  --json              print {verdict, cause, summary, evidence, remedies, restartWillWork} as JSON
  --group NAME        the instance's Auto Scaling group (as DescribeAutoScalingInstances says), for the evidence
  --lifecycle STATE   its LifecycleState in that group (InService, Warmed:Stopped, ...)

Exit codes: 0 healthy, 1 something needs attention, 2 bad input (unreadable file, no valid probe report).`;

const MAX_INPUT_BYTES = 1_048_576;

function readInput(path: string | undefined): string {
  try {
    const buf = readFileSync(path === undefined || path === "-" ? 0 : path);
    if (buf.length > MAX_INPUT_BYTES) {
      throw new FleetDoctorError("BAD_REQUEST", `input is ${buf.length} bytes; a probe output is at most a few KB`);
    }
    return buf.toString("utf8");
  } catch (e) {
    if (e instanceof FleetDoctorError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new FleetDoctorError("BAD_REQUEST", `cannot read ${path ?? "stdin"}${code ? ` (${code})` : ""}`);
  }
}

/** Text from an instance shown on a terminal: no control characters (escape sequences could rewrite the screen). */
const isControl = (c: number) => (c < 32 && c !== 9 && c !== 10) || (c >= 0x7f && c <= 0x9f);
const safe = (s: string) => Array.from(s, (ch) => (isControl(ch.charCodeAt(0)) ? "?" : ch)).join("");

export function sourceText(s: EvidenceSource): string {
  switch (s.kind) {
    case "log":
      return `${s.file}${s.line !== undefined ? `:${s.line}` : ""}${s.time ? ` (${s.time})` : ""}`;
    case "imds":
      return `IMDS ${s.path} -> ${s.httpCode ?? "no HTTP answer"}`;
    case "config":
      return `${s.file} ${s.key}`;
    case "service":
      return `systemctl show ${s.unit} --property=${s.property}`;
    case "introspection":
      return `${s.url}${s.field ? ` ${s.field}` : ""}`;
    case "package":
      return `rpm -q ${s.name}`;
    case "api":
      return `${s.api} ${s.field}`;
    case "probe":
      return `probe ${s.field}`;
  }
}

export function formatDiagnosis(d: Diagnosis): string {
  const out = [
    `Verdict:  ${d.verdict}${d.cause ? ` (${d.cause})` : ""}`,
    `Summary:  ${safe(d.summary)}`,
    `Restart will work: ${d.restartWillWork ? "yes" : "no"}`,
    "",
    "Evidence:",
  ];
  d.evidence.forEach((e, i) => {
    out.push(`  ${i + 1}. ${safe(e.label)}`);
    out.push(`     source: ${safe(sourceText(e.source))}`);
    if (e.value) out.push(`     ${safe(e.value)}`);
    if (e.match && e.match[1] > e.match[0] && (e.match[0] > 0 || e.match[1] < e.value.length)) {
      out.push(`     matched: ${safe(e.value.slice(e.match[0], e.match[1]))}`);
    }
  });
  out.push("", "Remedies:");
  if (d.remedies.length === 0) out.push("  (none needed)");
  d.remedies.forEach((r, i) => {
    out.push(`  ${i + 1}. ${r.title}${r.automated ? " [Fleet Doctor can do this]" : ""}`);
    out.push(`     ${safe(r.why)}`);
    if (r.configLine) out.push(`     config: ${r.configLine}`);
    if (r.command) out.push(`     $ ${safe(r.command)}`);
  });
  return out.join("\n");
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(
    {
      args: argv,
      options: {
        json: { type: "boolean", default: false },
        group: { type: "string" },
        lifecycle: { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
      allowPositionals: true,
      strict: true,
    },
    USAGE,
  );
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length > 1)
    throw new FleetDoctorError("BAD_REQUEST", `give one FILE (or -), not ${positionals.length}`);
  if ((values.group === undefined) !== (values.lifecycle === undefined)) {
    throw new FleetDoctorError("BAD_REQUEST", "--group and --lifecycle go together");
  }
  const result = parseProbeOutput(readInput(positionals[0]));
  if (!result.ok) throw new FleetDoctorError("BAD_REQUEST", `not a valid probe output: ${result.error}`);
  const facts: DiagnosisFacts = {
    probe: { ok: true, report: result.report },
    ssm: {},
    ...(values.group !== undefined
      ? {
          membership: {
            group: values.group,
            lifecycleState: values.lifecycle!,
            inWarmPool: values.lifecycle!.startsWith("Warmed:"),
          },
        }
      : {}),
  };
  const d = diagnose(facts);
  if (values.json) {
    const { verdict, cause, summary, evidence, remedies, restartWillWork } = d;
    console.log(JSON.stringify({ verdict, cause, summary, evidence, remedies, restartWillWork }, null, 2));
  } else {
    console.log(formatDiagnosis(d));
  }
  return NEEDS_ATTENTION[d.verdict] ? 1 : 0;
}

const command: Command = { run };
export default command;
