import Box from "@cloudscape-design/components/box";
import ColumnLayout from "@cloudscape-design/components/column-layout";
import Container from "@cloudscape-design/components/container";
import Header from "@cloudscape-design/components/header";
import KeyValuePairs from "@cloudscape-design/components/key-value-pairs";
import { cap } from "@/components/text/cap.ts";
import type { ProbeReport } from "@/lib/probe/report-schema.ts";
import type { Target } from "@/lib/scan/types.ts";

const show = (v: unknown): string => (v === null || v === undefined || v === "" ? "-" : cap(String(v), 300));
const http = (v: unknown): string => (typeof v === "number" ? `HTTP ${v}` : show(v));

function Section({ title, items }: { title: string; items: { label: string; value: string }[] }) {
  return (
    <div>
      <Box variant="h3" padding={{ bottom: "xs" }}>
        {title}
      </Box>
      <KeyValuePairs columns={1} items={items.map((i) => ({ label: i.label, value: i.value }))} />
    </div>
  );
}

/** Membership as inventory saw it: the group and lifecycle state from Auto Scaling, the SSM ping. */
export function membershipItems(target: Target) {
  return [
    { label: "Auto Scaling group", value: show(target.group ?? "(in no group)") },
    { label: "Lifecycle state", value: show(target.lifecycleState) },
    { label: "In warm pool", value: target.inWarmPool === undefined ? "-" : target.inWarmPool ? "yes" : "no" },
    { label: "SSM ping", value: show(target.pingStatus) },
    { label: "Platform", value: show([target.platform, target.platformVersion].filter(Boolean).join(" ")) },
  ];
}

/** What the probe learned on the instance: metadata answers, the config that matters, the service, the agent. */
export function ProbeFacts({ report, target }: { report?: ProbeReport; target: Target }) {
  return (
    <Container
      header={
        <Header variant="h2" description="As the probe read them on the instance, and as Auto Scaling sees it.">
          Instance facts
        </Header>
      }
    >
      <ColumnLayout columns={4} variant="text-grid" minColumnWidth={200}>
        <Section title="Group membership" items={membershipItems(target)} />
        {report ? (
          <>
            <Section
              title="Instance metadata (IMDS)"
              items={[
                { label: "Token (IMDSv2)", value: http(report.imds.token) },
                { label: "instance-id", value: http(report.imds.idCode) },
                { label: "target-lifecycle-state", value: http(report.imds.lcCode) },
                { label: "Lifecycle state answer", value: show(report.imds.lcState) },
              ]}
            />
            <Section
              title="ecs.config"
              items={[
                ...Object.entries(report.config.keys)
                  .slice(0, 20)
                  .map(([key, [value, file]]) => ({
                    label: cap(key, 48),
                    value: `${show(value)}${report.config.files[file] ? ` (${cap(report.config.files[file], 64)})` : ""}`,
                  })),
                { label: "Other keys (values not read)", value: String(report.config.other) },
                ...(report.config.odd?.length
                  ? [{ label: "Written in a form ecs-init ignores", value: show(report.config.odd.join(", ")) }]
                  : []),
              ]}
            />
            <Section
              title="Agent service"
              items={[
                {
                  label: "ecs service",
                  value: show([report.service.active, report.service.sub].filter(Boolean).join(" / ")),
                },
                {
                  label: "Result, exit status",
                  value: `${show(report.service.result)}, ${show(report.service.status)}`,
                },
                { label: "Restarts", value: show(report.service.restarts) },
                { label: "Exited", value: show(report.service.exited) },
                { label: "ecs-init package", value: show(report.ecsInit) },
                { label: "Introspection", value: http(report.agent.code) },
                { label: "Agent version (running)", value: show(report.agent.version) },
                { label: "Cluster", value: show(report.agent.cluster) },
              ]}
            />
          </>
        ) : (
          <Box color="text-status-inactive">
            No valid probe report: the probe did not run or printed nothing usable (see the raw output below).
          </Box>
        )}
      </ColumnLayout>
    </Container>
  );
}
