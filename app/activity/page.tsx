import ContentLayout from "@cloudscape-design/components/content-layout";
import Header from "@cloudscape-design/components/header";

export const metadata = { title: "Activity" };

export default function ActivityPage() {
  return <ContentLayout header={<Header variant="h1">Activity</Header>}>{null}</ContentLayout>;
}
