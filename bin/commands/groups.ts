import { userInfo } from "node:os";
import { createInterface } from "node:readline";
import type { Actor } from "../../lib/auth/roles.ts";
import { createClients } from "../../lib/aws/clients.ts";
import { identifyFleet } from "../../lib/aws/fleet.ts";
import { config } from "../../lib/config.ts";
import { FleetDoctorError } from "../../lib/errors.ts";
import { createFixedTemplateVersion } from "../../lib/exposure/create-fixed-template-version.ts";
import { exposureClients } from "../../lib/exposure/exposure-clients.ts";
import type { FixContext } from "../../lib/exposure/fix-context.ts";
import { GROUP_NAME } from "../../lib/exposure/fix-context.ts";
import { type FixPlan, isFixPlan } from "../../lib/exposure/fix-plan.ts";
import { groupDetail } from "../../lib/exposure/group-detail.ts";
import { groupExposures } from "../../lib/exposure/group-exposures.ts";
import { pointGroupAtVersion } from "../../lib/exposure/point-group-at-version.ts";
import { startInstanceRefresh } from "../../lib/exposure/start-instance-refresh.ts";
import type { GroupExposure } from "../../lib/exposure/types.ts";
import { openConfiguredStore } from "../../lib/store/index.ts";
import type { Command } from "../cli.ts";
import { commandFlags } from "../flags.ts";

const USAGE = `Usage: fleet-doctor groups [--fleet ACCOUNT/REGION] [--json]
       fleet-doctor groups fix NAME [--fleet ACCOUNT/REGION] [--json] [--apply]

Reads every Auto Scaling group's launch template (or configuration), user data and image, and says whether its next
launches will fail on the lifecycle 404 (exposed), will not (safe), or cannot be told (unknown), with why.
'groups fix NAME' prints the commands that fix an exposed group for good, in order, and the user-data diff. It writes
nothing, unless --apply: it then asks before each write (y to go on, anything else stops) and makes it through the
same audited verbs as the Groups page (CreateLaunchTemplateVersion, UpdateAutoScalingGroup, StartInstanceRefresh).

Reads: autoscaling:DescribeAutoScalingGroups, DescribeLaunchConfigurations; ec2:DescribeLaunchTemplateVersions,
DescribeImages; ssm:GetParameters (the public ECS AMI parameters); the probe's agent versions from FLEET_DOCTOR_DB.
Exit codes: 0 nothing exposed, 1 a group is exposed, 2 bad input, 3 AWS unreachable.`;

/** Text from AWS printed to a terminal: no control characters, capped. */
function clean(s: string | undefined, max = 80): string {
  const t = (s ?? "").replace(/\p{Cc}/gu, " ");
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

function launchCell(g: GroupExposure): string {
  const l = g.launch;
  if (l.kind === "launch-template" || l.kind === "mixed-instances") {
    const v =
      l.resolvedVersion !== undefined && String(l.resolvedVersion) !== l.version
        ? `${l.version}=${l.resolvedVersion}`
        : l.version;
    return `${l.templateName ?? l.templateId}@${v}${l.kind === "mixed-instances" ? " (mixed)" : ""}`;
  }
  return l.kind === "launch-configuration" ? `lc:${l.name}` : "-";
}

function agentCell(g: GroupExposure): string {
  const a = g.agent;
  return `${a.imageId ?? "?"} / ${a.version ?? "?"} (${a.source})`;
}

export function formatGroups(groups: readonly GroupExposure[], width: number): string {
  if (groups.length === 0) return "no Auto Scaling groups";
  const rows = groups.map((g) => [clean(g.group, 40), g.exposure, launchCell(g), clean(agentCell(g), 60), g.reason]);
  const head = ["GROUP", "EXPOSURE", "TEMPLATE@VERSION", "IMAGE / AGENT", "WHY"];
  const widths = head.slice(0, 4).map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => {
    const fixed = r
      .slice(0, 4)
      .map((c, i) => c.padEnd(widths[i]!))
      .join("  ");
    const room = Math.max(20, width - fixed.length - 2);
    return `${fixed}  ${clean(r[4], room)}`.trimEnd();
  };
  return [line(head), ...rows.map(line)].join("\n");
}

function printable(text: string): string {
  return text
    .split("\n")
    .map((l) => l.replace(/\p{Cc}/gu, " "))
    .join("\n");
}

/** Who the audit names for a write from the command line: the local user (the AWS credentials are theirs). */
function cliActor(): Actor {
  return { id: `cli:${userInfo().username}`, role: "operator" };
}

/** Asks each question on stdout and reads one answer line from stdin; only `y` or `yes` goes on. */
function prompter() {
  const rl = createInterface({ input: process.stdin, terminal: false });
  const lines = rl[Symbol.asyncIterator]();
  return {
    async ask(question: string): Promise<boolean> {
      process.stdout.write(`${question} [y/N] `);
      const next = await lines.next();
      const answer = next.done ? "" : String(next.value).trim().toLowerCase();
      process.stdout.write("\n");
      return answer === "y" || answer === "yes";
    },
    close: () => rl.close(),
  };
}

/** The three writes, each asked for on its own; stops at the first no. */
async function apply(plan: FixPlan, ctx: FixContext): Promise<number> {
  const p = prompter();
  try {
    if (!(await p.ask(`\n${plan.steps[0]!.title}?`))) return stopped();
    const created = await createFixedTemplateVersion(plan.group, { token: plan.token }, ctx);
    console.log(`created version ${created.version} of ${created.templateId}`);
    if (!(await p.ask(`Point ${plan.group} at version ${created.version}?`))) return stopped();
    const pointed = await pointGroupAtVersion(plan.group, { version: created.version, token: created.pointToken }, ctx);
    console.log(
      `${pointed.group} now launches ${pointed.templateId} version ${pointed.version}: ${pointed.exposure.exposure}`,
    );
    if (!(await p.ask(`Start an instance refresh of ${plan.group} (replaces its instances)?`))) return 0;
    const refresh = await startInstanceRefresh(plan.group, { token: pointed.refreshToken }, ctx);
    console.log(`instance refresh ${refresh.instanceRefreshId} started`);
    return 0;
  } finally {
    p.close();
  }
}

function stopped(): number {
  console.log("stopped: nothing more was written");
  return 1;
}

export async function run(argv: string[]): Promise<number> {
  const flags = commandFlags(
    argv,
    { fleet: { type: "string" }, apply: { type: "boolean", default: false } },
    USAGE,
    true,
  );
  if (!flags) return 0;
  const { values, positionals } = flags;
  const [sub, name, ...extra] = positionals;
  if (sub !== undefined && sub !== "fix")
    throw new FleetDoctorError("BAD_REQUEST", `unknown subcommand '${clean(sub, 20)}'\n\n${USAGE}`);
  if (sub === "fix" && (name === undefined || extra.length > 0)) {
    throw new FleetDoctorError("BAD_REQUEST", `groups fix takes one group name\n\n${USAGE}`);
  }
  if (values.apply && (sub !== "fix" || values.json)) {
    throw new FleetDoctorError("BAD_REQUEST", "--apply goes with 'groups fix NAME' and without --json");
  }
  if (name !== undefined && !GROUP_NAME.safeParse(name).success) {
    throw new FleetDoctorError("BAD_REQUEST", "NAME: not a valid Auto Scaling group name");
  }
  const cfg = config();
  const fleet = await identifyFleet(cfg);
  if (values.fleet !== undefined && values.fleet !== fleet.id) {
    // The CLI reads the fleet of its credentials and region; other fleets are read by the server (fleets file).
    throw new FleetDoctorError(
      "BAD_REQUEST",
      `--fleet: ${clean(values.fleet, 60)} is not the fleet of these credentials and region (${fleet.id}); set AWS_REGION or the credentials`,
    );
  }
  const store = openConfiguredStore(cfg);
  try {
    const ctx = { clients: exposureClients(createClients(cfg)), store };
    if (sub === "fix") {
      const d = await groupDetail(ctx, fleet.id, name!);
      if (values.json) {
        console.log(JSON.stringify(d, null, 2));
        return d.exposure.exposure === "exposed" ? 1 : 0;
      }
      console.log(`${clean(d.exposure.group, 255)} (${fleet.id}): ${d.exposure.exposure}. ${d.exposure.reason}`);
      for (const e of d.exposure.evidence) console.log(`  - ${clean(e, 300)}`);
      if (!isFixPlan(d.fix)) {
        console.log(`\n${d.fix.reason}`);
        return d.exposure.exposure === "exposed" ? 1 : 0;
      }
      console.log("\nRun, in this order:");
      d.fix.steps.forEach((s, i) => {
        console.log(`\n# ${i + 1}. ${clean(s.title, 200)}${s.optional ? " (optional)" : ""}`);
        console.log(s.command);
      });
      console.log(`\nThe new version's change:\n${printable(d.fix.diff)}`);
      if (values.apply) return await apply(d.fix, { ...ctx, actor: cliActor(), fleet: fleet.id });
      return 1;
    }
    const groups = await groupExposures(ctx, fleet.id);
    if (values.json) console.log(JSON.stringify({ fleet: fleet.id, groups }, null, 2));
    else {
      console.log(`fleet ${fleet.id}`);
      console.log(formatGroups(groups, process.stdout.columns || 160));
    }
    return groups.some((g) => g.exposure === "exposed") ? 1 : 0;
  } finally {
    await store.close();
  }
}

export default { run } satisfies Command;
