import type { ProbeReport } from "../probe/report-schema.ts";
import type { Remedy } from "./types.ts";
import { FIRST_FIXED } from "./versions.ts";

/** The remedies of the design, with the exact command or config line an SRE would run. */

export function restartCommand(report: ProbeReport | undefined): string {
  return report?.service.init === "upstart" ? "sudo stop ecs; sudo start ecs" : "sudo systemctl restart ecs";
}

export const remedies = {
  restart: (report: ProbeReport | undefined, why: string): Remedy => ({
    id: "restart",
    title: "Restart the ECS agent",
    why,
    command: restartCommand(report),
    automated: true,
  }),
  disableCheck: (report: ProbeReport | undefined, why: string): Remedy => ({
    id: "disable-check-and-restart",
    title: "Turn the warm-pool check off, then restart the agent",
    why,
    // /etc/ecs/ecs.config is read last and the last occurrence wins, so appending overrides any earlier line.
    command: `echo 'ECS_WARM_POOLS_CHECK=false' | sudo tee -a /etc/ecs/ecs.config && ${restartCommand(report)}`,
    configLine: "ECS_WARM_POOLS_CHECK=false",
    automated: false,
  }),
  upgrade: (why: string): Remedy => ({
    id: "upgrade-agent",
    title: `Upgrade ecs-init and the agent to ${FIRST_FIXED} or later`,
    why: `${why} Or launch from an ECS-optimized AMI of 20250318 or later.`,
    command: "sudo yum update -y ecs-init && sudo systemctl restart ecs",
    automated: false,
  }),
  attach: (instanceId: string | null | undefined, group: string | undefined, why: string): Remedy => ({
    id: "attach-to-group",
    title: "Attach the instance to its Auto Scaling group",
    why,
    command: `aws autoscaling attach-instances --instance-ids ${instanceId ?? "<instance-id>"} --auto-scaling-group-name ${group ?? "<group>"}`,
    automated: false,
  }),
  waitForScaleOut: (why: string): Remedy => ({
    id: "wait-for-scale-out",
    title: "Leave it: the agent starts when the group moves the instance to InService",
    why,
    automated: false,
  }),
  checkSsm: (why: string): Remedy => ({
    id: "check-ssm-agent",
    title: "Check the SSM agent and the instance's connectivity",
    why,
    command: "sudo systemctl status amazon-ssm-agent",
    automated: false,
  }),
  checkImds: (instanceId: string | null | undefined, why: string): Remedy => ({
    id: "check-imds",
    title: "Check instance metadata (IMDS) is enabled and reachable",
    why,
    command: `aws ec2 describe-instances --instance-ids ${instanceId ?? "<instance-id>"} --query 'Reservations[].Instances[].MetadataOptions'`,
    automated: false,
  }),
  checkCredentials: (why: string): Remedy => ({
    id: "check-credentials",
    title: "Check the instance profile (IAM role) and its ECS permissions",
    why,
    command:
      "curl -s -H \"X-aws-ec2-metadata-token: $(curl -s -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 60' http://169.254.169.254/latest/api/token)\" http://169.254.169.254/latest/meta-data/iam/info",
    automated: false,
  }),
  checkDocker: (why: string): Remedy => ({
    id: "check-docker",
    title: "Check the Docker daemon",
    why,
    command: "sudo systemctl status docker",
    automated: false,
  }),
  clearCheckpoint: (why: string): Remedy => ({
    id: "clear-checkpoint",
    title: "Remove the agent's saved state (it belongs to another cluster), then start the agent",
    why,
    command:
      "sudo systemctl stop ecs && sudo rm -f /var/lib/ecs/data/agent.db /var/lib/ecs/data/ecs_agent_data.json && sudo systemctl start ecs",
    automated: false,
  }),
  investigate: (
    why: string,
    command = "sudo tail -n 50 /var/log/ecs/ecs-agent.log /var/log/ecs/ecs-init.log",
  ): Remedy => ({
    id: "investigate",
    title: "Look at the agent's logs",
    why,
    command,
    automated: false,
  }),
};
