import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { CreateLaunchTemplateVersionCommand, EC2Client, ModifyLaunchTemplateCommand } from "@aws-sdk/client-ec2";
import { type Server, simulatorEnv, startNext, startSimProcess } from "../bin/servers.ts";
import { albToken, makeKey, startKeyServer } from "../test/helpers/alb-keys.ts";
import { expect, expectAccessible, screenshot, test } from "./fixtures.ts";

/*
 * Groups and the permanent fix, as an operator meets them. The simulator runs the scale-out scenario (sped up): `web`
 * and `batch` launch from template versions that write ECS_WARM_POOLS_CHECK=true with an affected agent's image
 * (exposed), `api` from the fixed image (safe); `web` keeps launching instances that die on the lifecycle 404. The
 * operator opens web's page, previews the user-data diff, creates the fixed version (confirmed), points the group at
 * it (confirmed), and the group then reads safe. The simulator's calls hold exactly one CreateLaunchTemplateVersion and
 * one UpdateAutoScalingGroup and no other EC2 or Auto Scaling write, and web's next launches register.
 */
test.describe.configure({ mode: "serial" });

let dir: string;
let sim: Server;
let app: Server;

type Scenario = {
  name: string;
  timing?: Record<string, unknown>;
  groups: { name: string; scaleOut?: unknown; moveToInService?: unknown }[];
};

/** scale-out.json with short timings; web launches one instance every 5 s, the other groups hold still. */
function scenario(): Scenario {
  const file = path.join(import.meta.dirname, "..", "sim", "scenarios", "scale-out.json");
  const s = JSON.parse(readFileSync(file, "utf8")) as Scenario;
  s.name = "groups-e2e";
  s.timing = { bootSeconds: 1, publishDelaySeconds: 4, lifecycleFailureSeconds: 1, deliveryMs: { min: 50, max: 200 } };
  for (const g of s.groups) {
    delete g.moveToInService;
    if (g.name === "web") g.scaleOut = { every: "5s", count: 1, into: "in-service", max: 20, startAfter: "1s" };
    else delete g.scaleOut;
  }
  return s;
}

type SimGroup = {
  name: string;
  instances: { instanceId: string; launchedAt?: string; launchedBy?: unknown; registeredAt?: string | null }[];
};
const simGroup = async (name: string): Promise<SimGroup> => {
  const body = (await (await fetch(`${sim.url}/_sim/groups`)).json()) as { groups: SimGroup[] };
  const g = body.groups.find((x) => x.name === name);
  if (!g) throw new Error(`the simulator has no group ${name}`);
  return g;
};

type Call = { op: string; params: Record<string, unknown> };
const calls = async (): Promise<Call[]> =>
  ((await (await fetch(`${sim.url}/_sim/calls`)).json()) as { calls: Call[] }).calls;
/** Every call that is not a read and not Run Command (SSM): the EC2 and Auto Scaling writes. */
const writes = async () =>
  (await calls()).filter((c) => !/^(Describe|Get|List)/.test(c.op) && !["SendCommand", "CancelCommand"].includes(c.op));

async function scan() {
  const res = await fetch(`${app.url}/api/scans`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: app.url },
    body: JSON.stringify({ targets: { kind: "all" } }),
  });
  const body = (await res.json()) as { scanId?: string; error?: { details?: { scanId?: string } } };
  const id = body.scanId ?? body.error?.details?.scanId;
  expect(id, JSON.stringify(body)).toBeTruthy();
  await expect
    .poll(
      async () =>
        ((await (await fetch(`${app.url}/api/scans/${id}?fields=scan`)).json()) as { scan: { status: string } }).scan
          .status,
      { timeout: 120_000, intervals: [500, 1000] },
    )
    .not.toBe("running");
}

test.beforeAll(async () => {
  test.setTimeout(180_000);
  dir = mkdtempSync(path.join(tmpdir(), "fd-e2e-groups-"));
  const file = path.join(dir, "scenario.json");
  writeFileSync(file, JSON.stringify(scenario()));
  sim = await startSimProcess(file, ["--exec", "model"]);
  app = await startNext({
    ...simulatorEnv(sim.url),
    FLEET_DOCTOR_DB: path.join(dir, "groups.db"),
    FLEET_DOCTOR_WATCH: "off",
    FLEET_DOCTOR_FULL_SCAN_CRON: "off",
  });
  // A failing web launch first (registered never, its agent dead on the 404), then one scan: members by verdict.
  await expect
    .poll(async () => (await simGroup("web")).instances.filter((i) => i.launchedBy).length, { timeout: 60_000 })
    .toBeGreaterThan(0);
  await scan();
});

test.afterAll(async () => {
  await app?.stop();
  await sim?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test("the Groups page lists exposed and safe groups with their evidence", async ({ page, consoleErrors }) => {
  await page.goto(`${app.url}/groups`);
  const table = page.getByRole("table", { name: "Auto Scaling groups" }).first();
  const row = (name: string) => table.getByRole("row").filter({ has: page.getByRole("link", { name, exact: true }) });
  await expect(row("web")).toContainText("Exposed");
  await expect(row("web")).toContainText("web-ecs@1");
  await expect(row("web")).toContainText("1.89.3");
  await expect(row("batch")).toContainText("Exposed");
  await expect(row("batch")).toContainText("Yes"); // its warm pool
  await expect(row("api")).toContainText("Safe");
  await expect(row("api")).toContainText("1.91.1");
  // Members by verdict link to the instances table filtered by group and verdict.
  const member = row("web")
    .getByRole("link", { name: /in web$/ })
    .first();
  await expect(member).toHaveAttribute("href", /\/instances\?group=web&verdict=/);
  await expectAccessible(page, "groups page");
  await screenshot(page, "groups-table");

  // The exposure filter keeps only the safe group, and the URL says so.
  await page.getByTestId("exposure-filter").getByRole("button").click();
  await page.getByRole("option", { name: "Safe" }).click();
  await expect(row("api")).toBeVisible();
  await expect(row("web")).toHaveCount(0);
  await expect(page).toHaveURL(/exposure=safe/);

  // The group page's evidence: the template version, the user-data line that turns the check on, the image.
  await page.goto(`${app.url}/groups/web`);
  const evidence = page.getByTestId("group-evidence");
  await expect(evidence).toContainText("version 1");
  await expect(evidence).toContainText("ECS_WARM_POOLS_CHECK=true");
  await expect(evidence).toContainText("al2023-ami-ecs-hvm-2023.0.20250121");
  await expect(page.getByTestId("group-reason")).not.toBeEmpty();
  await expect(page.getByTestId("fix-commands")).toContainText("aws ec2 create-launch-template-version");
  await expect(page.getByTestId("fix-commands")).toContainText("aws autoscaling update-auto-scaling-group");
  expect(consoleErrors).toEqual([]);
});

test("the operator creates the fixed version, points web at it, and web's next launches register", async ({
  page,
  consoleErrors,
}) => {
  test.setTimeout(150_000);
  expect(await writes()).toEqual([]);
  await page.goto(`${app.url}/groups/web`);
  const fix = page.getByTestId("group-fix");
  // The preview: the check's line removed or turned off, as text with its mark.
  const diff = fix.getByTestId("fix-diff");
  await expect(diff.locator('[data-diff="remove"]')).toContainText("ECS_WARM_POOLS_CHECK=true");
  await expect(fix.getByTestId("fix-point")).toBeDisabled();
  await expect(fix.getByTestId("fix-refresh")).toBeDisabled();
  await expectAccessible(page, "group page");
  await screenshot(page, "groups-web-exposed");

  // Step 1: its own confirmation, naming the write; nothing is sent before it.
  await fix.getByTestId("fix-template").click();
  const modal = page.getByRole("dialog");
  await expect(modal).toContainText("CreateLaunchTemplateVersion");
  await expectAccessible(page, "create-version confirmation");
  expect(await writes()).toEqual([]);
  await modal.getByTestId("fix-confirm").click();
  await expect(modal).toBeHidden();
  await expect(fix.getByTestId("fix-step-template")).toContainText("Created version 2");
  expect((await writes()).map((c) => c.op)).toEqual(["CreateLaunchTemplateVersion"]);

  // Step 2: enabled now, confirmed on its own.
  await expect(fix.getByTestId("fix-point")).toBeEnabled();
  await fix.getByTestId("fix-point").click();
  await expect(modal).toContainText("UpdateAutoScalingGroup");
  await expect(modal).toContainText("version 2");
  const pointedAt = Date.now();
  await modal.getByTestId("fix-confirm").click();
  await expect(modal).toBeHidden();
  await expect(fix.getByTestId("fix-step-point")).toContainText("now launches version 2");

  // The page is read again: web is safe, and the audit names both writes.
  await expect(page.getByTestId("group-exposure")).toContainText("Safe");
  await expect(page.getByTestId("group-audit")).toContainText("Create launch template version");
  await expect(page.getByTestId("group-audit")).toContainText("Point group at version");
  await expect(fix.getByTestId("fix-refresh")).toBeEnabled();
  await screenshot(page, "groups-web-fixed");

  const w = await writes();
  expect(w.map((c) => c.op)).toEqual(["CreateLaunchTemplateVersion", "UpdateAutoScalingGroup"]);
  expect(w[1]!.params).toMatchObject({ AutoScalingGroupName: "web" });
  // Opened again after step 2: web has no plan any more, and the optional refresh is still offered on its own.
  await page.reload();
  await expect(fix.getByTestId("fix-none")).toContainText("safe");
  await expect(fix.getByTestId("fix-refresh")).toBeEnabled();

  // web's launches from now on come from version 2 (the check off): they register, where version 1's died.
  await expect
    .poll(
      async () =>
        (await simGroup("web")).instances.filter(
          (i) => i.launchedBy && i.launchedAt && Date.parse(i.launchedAt) > pointedAt && i.registeredAt,
        ).length,
      { timeout: 90_000, intervals: [1000] },
    )
    .toBeGreaterThan(0);

  await page.goto(`${app.url}/groups`);
  const table = page.getByRole("table", { name: "Auto Scaling groups" }).first();
  await expect(
    table.getByRole("row").filter({ has: page.getByRole("link", { name: "web", exact: true }) }),
  ).toContainText("Safe");
  // No refresh was asked for: still exactly the two writes.
  expect((await writes()).map((c) => c.op)).toEqual(["CreateLaunchTemplateVersion", "UpdateAutoScalingGroup"]);
  expect(consoleErrors).toEqual([]);
});

test("an instance's page names its group's exposure and links to the group", async ({ page }) => {
  // batch was never fixed: its members' pages say their group's next launches fail.
  const member = (await simGroup("batch")).instances[0];
  expect(member).toBeTruthy();
  await page.goto(`${app.url}/instances/${member!.instanceId}`);
  const line = page.getByTestId("instance-group-exposure");
  await expect(line).toContainText("Group batch:");
  await expect(line).toContainText("Exposed");
  await expect(line.getByRole("link")).toHaveAttribute("href", /\/groups\/batch\?fleet=/);
  await screenshot(page, "groups-instance-line");
});

test("a viewer sees batch's fix with every write disabled and the reason", async ({ browser }) => {
  test.setTimeout(120_000);
  // The same build behind a pretend load balancer (FLEET_DOCTOR_AUTH=alb), over the same simulator.
  const ARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/fleet-doctor/0123456789abcdef";
  const key = await makeKey("groups-e2e-key");
  const keys = await startKeyServer([key]);
  const alb = await startNext({
    ...simulatorEnv(sim.url),
    FLEET_DOCTOR_DB: path.join(dir, "alb.db"),
    FLEET_DOCTOR_AUTH: "alb",
    FLEET_DOCTOR_WATCH: "off",
    FLEET_DOCTOR_FULL_SCAN_CRON: "off",
    FLEET_DOCTOR_ALB_ARN: ARN,
    FLEET_DOCTOR_ALB_KEY_URL: keys.url,
    FLEET_DOCTOR_OPERATORS: "ops@example.com",
    FLEET_DOCTOR_VIEWERS: "viewer@example.com",
  });
  const token = albToken({ key, signer: ARN, claims: { sub: "viewer@example.com", email: "viewer@example.com" } });
  const context = await browser.newContext({ extraHTTPHeaders: { "x-amzn-oidc-data": token } });
  try {
    const before = (await writes()).length;
    const page = await context.newPage();
    await page.goto(`${alb.url}/groups/batch`);
    const fix = page.getByTestId("group-fix");
    await expect(fix.getByTestId("fix-diff")).toContainText("ECS_WARM_POOLS_CHECK");
    for (const step of ["template", "point", "refresh"]) {
      await expect(fix.getByTestId(`fix-${step}`)).toBeDisabled();
      await expect(fix.getByTestId(`fix-${step}-blocked`)).toContainText(
        "Needs the operator role; viewer@example.com is a viewer.",
      );
    }
    await expectAccessible(page, "group page as a viewer");
    expect((await writes()).length).toBe(before);
  } finally {
    await context.close();
    await alb.stop();
    await keys.close();
  }
});

test("a preview gone stale is refused (409) and the page says to reload it", async ({ page }) => {
  await page.goto(`${app.url}/groups/batch`);
  const fix = page.getByTestId("group-fix");
  await expect(fix.getByTestId("fix-template")).toBeEnabled();
  // Behind the page's back, someone gives batch's template a new default version (still with the check on).
  const ec2 = new EC2Client({
    endpoint: sim.url,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  const userData =
    "#cloud-config\nwrite_files:\n  - path: /etc/ecs/ecs.config\n    append: true\n    content: |\n      ECS_CLUSTER=prod-batch-2\n      ECS_WARM_POOLS_CHECK=true\n";
  const created = await ec2.send(
    new CreateLaunchTemplateVersionCommand({
      LaunchTemplateName: "batch-ecs",
      SourceVersion: "1",
      LaunchTemplateData: { UserData: Buffer.from(userData).toString("base64") },
    }),
  );
  const version = created.LaunchTemplateVersion?.VersionNumber;
  expect(version).toBeGreaterThan(1);
  await ec2.send(new ModifyLaunchTemplateCommand({ LaunchTemplateName: "batch-ecs", DefaultVersion: String(version) }));
  const before = (await writes()).length;

  await fix.getByTestId("fix-template").click();
  const modal = page.getByRole("dialog");
  await modal.getByTestId("fix-confirm").click();
  await expect(modal.getByTestId("fix-error")).toContainText("Reload the page");
  expect((await writes()).length).toBe(before);

  // Reloaded, the preview is of the new default version, and step 1 may be confirmed again.
  await page.reload();
  await expect(page.getByTestId("group-exposure")).toContainText(`batch-ecs@$Default (${version})`);
  await expect(fix.getByTestId("fix-template")).toBeEnabled();
  await expect(fix.getByTestId("fix-earlier")).toHaveCount(0);

  // Created from the fresh preview, then the page opened again before step 2: it says so, and step 1 again makes no
  // second version (the same client token answers the same one).
  await fix.getByTestId("fix-template").click();
  await modal.getByTestId("fix-confirm").click();
  await expect(fix.getByTestId("fix-step-template")).toContainText(`Created version ${version! + 1}`);
  await page.reload();
  await expect(fix.getByTestId("fix-earlier")).toContainText(`already created version ${version! + 1}`);
  await fix.getByTestId("fix-template").click();
  await modal.getByTestId("fix-confirm").click();
  await expect(fix.getByTestId("fix-step-template")).toContainText(`Created version ${version! + 1}`);
});
