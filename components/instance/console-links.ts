/**
 * Links to the AWS console pages an SRE opens next for one instance, in its region. Ids and names are URL-encoded:
 * they come from the store, and a group name may hold any character.
 */
export type ConsoleLinks = {
  ec2: string;
  managedNode: string;
  /** The probe's Run Command output on this instance, when the probe was sent. */
  runCommand?: string;
  /** Its Auto Scaling group, when it is in one. */
  autoScaling?: string;
};

const REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;

export function consoleLinks(input: {
  region: string;
  instanceId: string;
  commandId?: string;
  group?: string;
}): ConsoleLinks | undefined {
  const { region, instanceId, commandId, group } = input;
  // A region we cannot name (a simulator endpoint's odd setting) gets no links rather than wrong ones.
  if (!REGION.test(region)) return undefined;
  const base = `https://${region}.console.aws.amazon.com`;
  const id = encodeURIComponent(instanceId);
  const q = `region=${region}`;
  return {
    ec2: `${base}/ec2/home?${q}#InstanceDetails:instanceId=${id}`,
    managedNode: `${base}/systems-manager/fleet-manager/managed-nodes/${id}/general?${q}`,
    ...(commandId
      ? { runCommand: `${base}/systems-manager/run-command/${encodeURIComponent(commandId)}/${id}?${q}` }
      : {}),
    ...(group
      ? { autoScaling: `${base}/ec2/home?${q}#AutoScalingGroupDetails:id=${encodeURIComponent(group)};view=details` }
      : {}),
  };
}
