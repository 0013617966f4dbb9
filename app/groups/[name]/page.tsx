import ContentLayout from "@cloudscape-design/components/content-layout";
import Header from "@cloudscape-design/components/header";
import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { ExposureStatus } from "@/components/groups/exposure-status.tsx";
import { withFleet } from "@/components/groups/exposure-text.ts";
import { GroupDetailView } from "@/components/groups/group-detail-view.tsx";
import { Breadcrumbs } from "@/components/shell/breadcrumbs.tsx";
import { cap } from "@/components/text/cap.ts";
import { FleetDoctorError } from "@/lib/errors.ts";
import { groupParam } from "@/lib/exposure/api-context.ts";
import { fleetParam, loadGroup } from "../../_data/groups.ts";

export const dynamic = "force-dynamic";

type Props = {
  params: Promise<{ name: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
};

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: cap(await groupParam({ params }).catch(() => "Group"), 100) };
}

/** The group or a real 404: an unknown or malformed name is decided before anything streams. */
async function load(props: Props) {
  const fleet = fleetParam((await props.searchParams).fleet);
  try {
    const name = await groupParam(props);
    return { fleet, name, detail: await loadGroup(name, fleet) };
  } catch (e) {
    if (e instanceof FleetDoctorError && (e.code === "NOT_FOUND" || e.code === "BAD_REQUEST")) notFound();
    throw e;
  }
}

export default async function GroupPage(props: Props) {
  const { fleet, name, detail } = await load(props);
  return (
    <ContentLayout
      breadcrumbs={
        <Breadcrumbs
          items={[
            { text: "Fleet", href: withFleet("/", fleet) },
            { text: "Groups", href: withFleet("/groups", fleet) },
            { text: cap(name, 100), href: withFleet(`/groups/${encodeURIComponent(name)}`, fleet) },
          ]}
        />
      }
      header={
        <Header
          variant="h1"
          description={`${detail.fleet}`}
          info={<ExposureStatus exposure={detail.exposure.exposure} />}
        >
          {cap(name, 255)}
        </Header>
      }
    >
      <GroupDetailView detail={detail} fleet={fleet} />
    </ContentLayout>
  );
}
