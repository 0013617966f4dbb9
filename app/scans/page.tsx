import ContentLayout from "@cloudscape-design/components/content-layout";
import Header from "@cloudscape-design/components/header";

export const metadata = { title: "Scans" };

export default function ScansPage() {
  return <ContentLayout header={<Header variant="h1">Scans</Header>}>{null}</ContentLayout>;
}
