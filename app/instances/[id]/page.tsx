import ContentLayout from "@cloudscape-design/components/content-layout";
import Header from "@cloudscape-design/components/header";
import SpaceBetween from "@cloudscape-design/components/space-between";
import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { RestartButton } from "@/components/actions/restart-button.tsx";
import { InstanceDetail } from "@/components/instance/instance-detail.tsx";
import { Breadcrumbs } from "@/components/shell/breadcrumbs.tsx";
import { cap } from "@/components/text/cap.ts";
import { selectedFleet, withFleet } from "@/lib/fleets/fleet-ids.ts";
import { parseId } from "@/lib/http/ids.ts";
import { loadInstance } from "../../_data/instance.ts";

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
  // The instance of the fleet picked (`?fleet=`): the same id in another account is another instance.
  const fleet = selectedFleet((await searchParams).fleet);
  // Decided before anything streams (no loading.tsx above this page), so the answer is a real 404.
  const view = id ? await loadInstance(id, undefined, fleet) : undefined;
  if (!view) notFound();
  return (
    <ContentLayout
      breadcrumbs={
        <Breadcrumbs
          items={[
            { text: "Fleet", href: withFleet("/", fleet) },
            { text: "Instances", href: withFleet("/instances", fleet) },
            { text: view.instanceId, href: withFleet(`/instances/${encodeURIComponent(view.instanceId)}`, fleet) },
          ]}
        />
      }
      header={
        <Header
          variant="h1"
          description={cap(view.diagnosis.summary, 600)}
          actions={<RestartButton instanceIds={[view.instanceId]} variant="primary" />}
        >
          {view.instanceId}
        </Header>
      }
    >
      <SpaceBetween size="l">
        <InstanceDetail view={view} />
      </SpaceBetween>
    </ContentLayout>
  );
}
