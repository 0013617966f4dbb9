import Box from "@cloudscape-design/components/box";
import Container from "@cloudscape-design/components/container";
import Header from "@cloudscape-design/components/header";
import { AppLink } from "@/components/shell/app-link.tsx";
import { instanceHref } from "@/lib/instances/instance-href.ts";

/**
 * An instance id found in several fleets (accounts or regions): each is another instance, so the page asks which
 * rather than showing one of them. Newest result first.
 */
export function FleetChoice({ instanceId, fleets }: { instanceId: string; fleets: string[] }) {
  return (
    <Container
      header={
        <Header variant="h2" description="An instance id is only unique inside one account and region.">
          {instanceId} is in {fleets.length} fleets
        </Header>
      }
    >
      <Box variant="p">Which one? (newest result first)</Box>
      <ul data-testid="fleet-choice">
        {fleets.map((f) => (
          <li key={f}>
            <AppLink href={instanceHref(instanceId, f)}>{f}</AppLink>
          </li>
        ))}
      </ul>
    </Container>
  );
}
