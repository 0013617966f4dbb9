import ContentLayout from "@cloudscape-design/components/content-layout";
import Header from "@cloudscape-design/components/header";
import SpaceBetween from "@cloudscape-design/components/space-between";
import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { RestartButton } from "@/components/actions/restart-button.tsx";
import { InstanceDetail } from "@/components/instance/instance-detail.tsx";
import { Breadcrumbs } from "@/components/shell/breadcrumbs.tsx";
import { cap } from "@/components/text/cap.ts";
import { parseId } from "@/lib/http/ids.ts";
import { loadInstance } from "../../_data/instance.ts";

export const dynamic = "force-dynamic";

type Props = { params: Promise<{ id: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: parseId("instance", (await params).id) ?? "Instance" };
}

export default async function InstancePage({ params }: Props) {
  const id = parseId("instance", (await params).id);
  // Decided before anything streams (no loading.tsx above this page), so the answer is a real 404.
  const view = id ? await loadInstance(id) : undefined;
  if (!view) notFound();
  return (
    <ContentLayout
      breadcrumbs={
        <Breadcrumbs
          items={[
            { text: "Fleet", href: "/" },
            { text: "Instances", href: "/instances" },
            { text: view.instanceId, href: `/instances/${encodeURIComponent(view.instanceId)}` },
          ]}
        />
      }
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
        <InstanceDetail view={view} />
      </SpaceBetween>
    </ContentLayout>
  );
}
