import ContentLayout from "@cloudscape-design/components/content-layout";
import Header from "@cloudscape-design/components/header";
import SpaceBetween from "@cloudscape-design/components/space-between";
import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { RestartButton } from "@/components/actions/restart-button.tsx";
import { GroupExposureLine } from "@/components/groups/group-exposure-line.tsx";
import { FleetChoice } from "@/components/instance/fleet-choice.tsx";
import { InstanceDetail } from "@/components/instance/instance-detail.tsx";
import { Breadcrumbs } from "@/components/shell/breadcrumbs.tsx";
import { cap } from "@/components/text/cap.ts";
import { isFleetId } from "@/lib/fleets/fleet-ids.ts";
import { parseId } from "@/lib/http/ids.ts";
import { instanceHref } from "@/lib/instances/instance-href.ts";
import { loadGroupExposure } from "../../_data/groups.ts";
import { instanceFleetChoice, loadInstance } from "../../_data/instance.ts";

export const dynamic = "force-dynamic";

type Props = {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
};

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: parseId("instance", (await params).id) ?? "Instance" };
}

export default async function InstancePage({ params, searchParams }: Props) {
  const id = parseId("instance", (await params).id);
  // `?fleet=<account>/<region>`: which fleet's instance of this id (a malformed one names no instance: 404).
  const raw = (await searchParams).fleet;
  if (!id || (raw !== undefined && (typeof raw !== "string" || !isFleetId(raw)))) notFound();
  const asked = raw as string | undefined;
  // Decided before anything streams (no loading.tsx above this page), so the answer is a real 404.
  const choice = await instanceFleetChoice(id, asked);
  if (choice.kind === "none") notFound();
  const breadcrumbs = (fleet?: string) => (
    <Breadcrumbs
      items={[
        { text: "Fleet", href: "/" },
        { text: "Instances", href: "/instances" },
        { text: id, href: instanceHref(id, fleet) },
      ]}
    />
  );
  if (choice.kind === "several") {
    return (
      <ContentLayout breadcrumbs={breadcrumbs()} header={<Header variant="h1">{id}</Header>}>
        <FleetChoice instanceId={id} fleets={choice.fleets} />
      </ContentLayout>
    );
  }
  const view = await loadInstance(id, undefined, choice.fleet);
  if (!view) notFound();
  // The group's launch template decides whether this instance's failure comes back on the next launch.
  const group = await loadGroupExposure(view.instanceId, view.target.group, view.fleet);
  return (
    <ContentLayout
      breadcrumbs={breadcrumbs(view.fleet)}
      header={
        <Header
          variant="h1"
          description={cap(view.diagnosis.summary, 600)}
          actions={
            <RestartButton
              instanceIds={[view.instanceId]}
              {...(view.fleet ? { fleet: view.fleet } : {})}
              variant="primary"
            />
          }
        >
          {view.instanceId}
        </Header>
      }
    >
      <SpaceBetween size="l">
        {group ? <GroupExposureLine exposure={group.exposure} fleet={group.fleet} /> : null}
        <InstanceDetail view={view} />
      </SpaceBetween>
    </ContentLayout>
  );
}
