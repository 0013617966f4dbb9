import Box from "@cloudscape-design/components/box";
import Container from "@cloudscape-design/components/container";
import Header from "@cloudscape-design/components/header";
import KeyValuePairs from "@cloudscape-design/components/key-value-pairs";
import SpaceBetween from "@cloudscape-design/components/space-between";
import StatusIndicator from "@cloudscape-design/components/status-indicator";
import { AppLink } from "@/components/shell/app-link.tsx";
import { cap } from "@/components/text/cap.ts";
import { count } from "@/components/text/plural.ts";
import { formatTime } from "@/components/text/time.ts";
import type { EcsFacts } from "@/lib/diagnosis/facts.ts";

const dash = <Box color="text-status-inactive">-</Box>;

function Connected({ value }: { value: boolean | undefined }) {
  if (value === undefined) return dash;
  return value ? (
    <StatusIndicator type="success">Connected</StatusIndicator>
  ) : (
    <StatusIndicator type="error">Not connected</StatusIndicator>
  );
}

/**
 * What the ECS control plane says of the instance in the scan of its latest result (ListContainerInstances and
 * DescribeContainerInstances, joined by EC2 instance id): registered or not, and ECS's word on its container
 * instance. The one view that does not depend on reaching the instance.
 */
export function EcsSection({ ecs, scanId }: { ecs: EcsFacts | undefined; scanId: string }) {
  const header = (
    <Header variant="h2" description="What ECS says of this instance in the scan of its latest result.">
      ECS
    </Header>
  );
  if (!ecs) {
    return (
      <Container header={header} data-testid="instance-ecs">
        <StatusIndicator type="stopped">Not asked</StatusIndicator>{" "}
        <Box variant="span" color="text-body-secondary">
          That scan had no view of ECS (its <AppLink href={`/scans/${encodeURIComponent(scanId)}`}>scan page</AppLink>{" "}
          says why), so nothing is said of registration.
        </Box>
      </Container>
    );
  }
  return (
    <Container header={header} data-testid="instance-ecs">
      <SpaceBetween size="m">
        <KeyValuePairs
          columns={3}
          items={[
            {
              label: "Registered",
              value: ecs.registered ? (
                <StatusIndicator type="success">Yes</StatusIndicator>
              ) : (
                <StatusIndicator type={ecs.overdue ? "error" : "warning"}>
                  {`No (in none of ${count(ecs.clustersSearched, "cluster")})`}
                </StatusIndicator>
              ),
            },
            { label: "Cluster", value: ecs.cluster ? cap(ecs.cluster, 255) : dash },
            { label: "Status", value: ecs.status ? cap(ecs.status, 40) : dash },
            { label: "Agent connected", value: <Connected value={ecs.agentConnected} /> },
            { label: "Agent version", value: ecs.agentVersion ? cap(ecs.agentVersion, 40) : dash },
            { label: "Registered at", value: ecs.registeredAt ? formatTime(ecs.registeredAt) : dash },
            ...(ecs.arn ? [{ label: "Container instance ARN", value: cap(ecs.arn, 255) }] : []),
          ]}
        />
        {ecs.overdue ? (
          <StatusIndicator type="error">
            Overdue: in service longer than the grace period to join, and registered in no cluster.
          </StatusIndicator>
        ) : null}
        {ecs.clusterMissing ? (
          <StatusIndicator type="error">
            {`The cluster its ecs.config names (${cap(ecs.clusterMissing, 255)}) does not exist in ECS.`}
          </StatusIndicator>
        ) : null}
      </SpaceBetween>
    </Container>
  );
}
