import Alert from "@cloudscape-design/components/alert";
import Box from "@cloudscape-design/components/box";
import Container from "@cloudscape-design/components/container";
import CopyToClipboard from "@cloudscape-design/components/copy-to-clipboard";
import Header from "@cloudscape-design/components/header";
import KeyValuePairs from "@cloudscape-design/components/key-value-pairs";
import Link from "@cloudscape-design/components/link";
import SpaceBetween from "@cloudscape-design/components/space-between";
import { cap } from "@/components/text/cap.ts";
import { formatTime } from "@/components/text/time.ts";
import { splitFleetId } from "@/lib/fleets/fleet-ids.ts";
import { consoleLinks } from "./console-links.ts";
import type { InstanceView } from "./types.ts";

function Copyable({ text, what }: { text: string | undefined; what: string }) {
  if (!text) return <Box color="text-status-inactive">-</Box>;
  return (
    <CopyToClipboard
      variant="inline"
      textToCopy={text}
      textToDisplay={cap(text, 255)}
      copyButtonAriaLabel={`Copy ${what}`}
      copySuccessText={`${what[0]!.toUpperCase()}${what.slice(1)} copied`}
      copyErrorText={`Could not copy the ${what}`}
    />
  );
}

function External({ href, children }: { href: string | undefined; children: string }) {
  if (!href) return <Box color="text-status-inactive">-</Box>;
  return (
    <Link href={href} external externalIconAriaLabel="(opens in a new tab)">
      {children}
    </Link>
  );
}

/** Who the instance is on the network and in the console: ids to copy, and the pages an SRE opens next. */
export function InstanceIdentity({ view }: { view: InstanceView }) {
  const links = consoleLinks({
    region: view.region,
    instanceId: view.instanceId,
    ...(view.outcome.commandId ? { commandId: view.outcome.commandId } : {}),
    ...(view.target.group ? { group: view.target.group } : {}),
  });
  return (
    <Container header={<Header variant="h2">Instance</Header>} data-testid="instance-identity">
      <SpaceBetween size="m">
        {view.gone ? (
          <Alert type="warning" header="Gone from its fleet">
            The full scan of fleet {view.gone.fleet} started {formatTime(view.gone.since)} did not see this instance
            (stopped, terminated or no longer managed by SSM). It is left out of every count; its last diagnosis is kept
            below, and it cannot be restarted.
          </Alert>
        ) : null}
        <KeyValuePairs
          columns={3}
          items={[
            { label: "Instance ID", value: <Copyable text={view.instanceId} what="instance ID" /> },
            { label: "Private IP", value: <Copyable text={view.target.ipAddress} what="private IP" /> },
            { label: "Hostname", value: <Copyable text={view.target.computerName} what="hostname" /> },
            // An instance id is only unique inside one account and region: say which this is.
            ...(view.fleet ? [{ label: "Account", value: cap(splitFleetId(view.fleet).account, 255) }] : []),
            { label: "Region", value: view.region },
            { label: "EC2", value: <External href={links?.ec2}>Instance in EC2</External> },
            {
              label: "Systems Manager",
              value: <External href={links?.runCommand}>Probe's Run Command output</External>,
            },
            {
              label: "Probe command ID",
              value: <Copyable text={view.outcome.commandId} what="command ID" />,
            },
            {
              label: "Auto Scaling",
              value: <External href={links?.autoScaling}>{`Group ${cap(view.target.group ?? "", 60)}`}</External>,
            },
          ]}
        />
      </SpaceBetween>
    </Container>
  );
}
