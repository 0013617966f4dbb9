import ContentLayout from "@cloudscape-design/components/content-layout";
import Header from "@cloudscape-design/components/header";
import { notFound } from "next/navigation";
import { ActionDetail } from "@/components/actions/action-detail.tsx";
import { KIND_TEXT } from "@/components/actions/outcome-text.ts";
import { Breadcrumbs } from "@/components/shell/breadcrumbs.tsx";
import { count } from "@/components/text/plural.ts";
import { parseId } from "@/lib/http/ids.ts";
import { loadAction } from "../data.ts";

export const dynamic = "force-dynamic";
export const metadata = { title: "Action" };

type Props = { params: Promise<{ id: string }> };

export default async function ActionPage({ params }: Props) {
  const id = parseId("action", (await params).id);
  const action = id ? await loadAction(id) : undefined;
  if (!action) notFound();
  return (
    <ContentLayout
      breadcrumbs={
        <Breadcrumbs
          items={[
            { text: "Fleet", href: "/" },
            { text: "Activity", href: "/activity" },
            { text: action.id.slice(0, 8), href: `/activity/${action.id}` },
          ]}
        />
      }
      header={
        <Header
          variant="h1"
          description={`${count(action.requested.length, "instance")}, asked by ${action.actor.slice(0, 120)}`}
        >
          {KIND_TEXT[action.kind] ?? action.kind} {action.id.slice(0, 8)}
        </Header>
      }
    >
      <ActionDetail initial={action} />
    </ContentLayout>
  );
}
