import Box from "@cloudscape-design/components/box";
import ColumnLayout from "@cloudscape-design/components/column-layout";
import Container from "@cloudscape-design/components/container";
import ContentLayout from "@cloudscape-design/components/content-layout";
import Header from "@cloudscape-design/components/header";
import SpaceBetween from "@cloudscape-design/components/space-between";

export default function HomePage() {
  return (
    <ContentLayout
      header={
        <Header
          variant="h1"
          description="Find the EC2 container instances whose ECS agent failed to start, see why, and fix the ones that can be fixed."
        >
          Fleet
        </Header>
      }
    >
      <SpaceBetween size="l">
        <Container header={<Header variant="h2">What Fleet Doctor does</Header>}>
          <ColumnLayout columns={3} variant="text-grid">
            <div>
              <Box variant="awsui-key-label">Finds</Box>
              <Box>
                Instances the ECS console cannot show: it lists them from Systems Manager and Auto Scaling, not from
                ECS.
              </Box>
            </div>
            <div>
              <Box variant="awsui-key-label">Explains</Box>
              <Box>
                A read-only probe reads instance metadata, the agent&apos;s service state, config and logs, and every
                verdict shows the evidence it rests on.
              </Box>
            </div>
            <div>
              <Box variant="awsui-key-label">Fixes</Box>
              <Box>
                A verified restart of the agent where it will succeed, such as the warm-pool check that died on a
                lifecycle-state 404 before the instance joined its group.
              </Box>
            </div>
          </ColumnLayout>
        </Container>
      </SpaceBetween>
    </ContentLayout>
  );
}
