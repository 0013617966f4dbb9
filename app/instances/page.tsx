import ContentLayout from "@cloudscape-design/components/content-layout";
import Header from "@cloudscape-design/components/header";

export const metadata = { title: "Instances" };

export default function InstancesPage() {
  return <ContentLayout header={<Header variant="h1">Instances</Header>}>{null}</ContentLayout>;
}
