import type { ProbeReport } from "../probe/report-schema.ts";
import type { Remedy } from "./types.ts";
import { FIRST_FIXED } from "./versions.ts";

/** The addresses the agent must reach directly, as AWS documents NO_PROXY for container instances. */
export const NO_PROXY_LINE = "NO_PROXY=169.254.169.254,169.254.170.2,/var/run/docker.sock";
/** The unit drop-in AWS documents for the agent's proxy settings. */
export const PROXY_DROP_IN = "/etc/systemd/system/ecs.service.d/http-proxy.conf";

/** An ECS cluster name as ECS accepts it (letters, digits, hyphens, underscores, up to 255): safe to show in a command. */
const CLUSTER_NAME = /^[A-Za-z0-9_-]{1,255}$/;
export const clusterForCommand = (name: string | undefined) => (name && CLUSTER_NAME.test(name) ? name : "<cluster>");

/** The ecs.config files ecs-init reads; any other name (the report is untrusted) stands for the usual one. */
const CONFIG_FILES = new Set(["/etc/ecs/ecs.config", "/var/lib/ecs/ecs.config"]);
const configFileForCommand = (file: string) => (CONFIG_FILES.has(file) ? file : "/etc/ecs/ecs.config");

/** A Debian/Ubuntu host: the agent came from the generic deb (no rpm). */
const isDeb = (report: ProbeReport | undefined) => !!report && !report.ecsInit && !!report.deb;

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
  /**
   * Upgrade to `min` or later: yum on Amazon Linux; on Debian/Ubuntu the generic deb has no apt repository, so the
   * latest deb is fetched from the agent's S3 bucket and installed with dpkg.
   */
  upgrade: (why: string, opts: { min?: string; report?: ProbeReport } = {}): Remedy => {
    const min = opts.min ?? FIRST_FIXED;
    const deb = isDeb(opts.report);
    return {
      id: "upgrade-agent",
      title: `Upgrade ecs-init and the agent to ${min} or later`,
      why: deb
        ? `${why} This is a Debian/Ubuntu host (dpkg ${opts.report?.deb}): install the latest amazon-ecs-init deb.`
        : min === FIRST_FIXED
          ? `${why} Or launch from an ECS-optimized AMI of 20250318 or later.`
          : `${why} Or launch from a current ECS-optimized AMI.`,
      command: deb
        ? 'A=$(dpkg --print-architecture) && curl -fsSLO "https://s3.us-east-1.amazonaws.com/amazon-ecs-agent-us-east-1/amazon-ecs-init-latest.$A.deb" && sudo dpkg -i "amazon-ecs-init-latest.$A.deb" && sudo systemctl restart ecs'
        : "sudo yum update -y ecs-init && sudo systemctl restart ecs",
      automated: false,
    };
  },
  startDocker: (why: string): Remedy => ({
    id: "start-docker",
    title: "Start Docker, then the agent",
    why,
    command: "sudo systemctl start docker && sudo systemctl restart ecs",
    automated: false,
  }),
  enableUnit: (why: string): Remedy => ({
    id: "enable-unit",
    title: "Enable the ecs unit and start it without waiting (so it also starts at every boot)",
    why,
    // --no-block: from user data (cloud-final) a blocking start deadlocks, ecs.service is ordered after cloud-final.
    command: "sudo systemctl enable --now --no-block ecs",
    automated: false,
  }),
  fixCluster: (current: { value: string; file: string; line?: number }, why: string): Remedy => ({
    id: "fix-cluster",
    title: `Set ECS_CLUSTER to a cluster that exists (now ${current.value}${current.line ? `, ${current.file} line ${current.line}` : `, ${current.file}`})`,
    why,
    // The file name came from the instance: only one of the two paths ecs-init reads goes into a command. The new
    // name is left for the person to fill in.
    command: current.line
      ? `sudo sed -i 's/^ECS_CLUSTER=.*/ECS_CLUSTER=<cluster>/' ${configFileForCommand(current.file)} && sudo systemctl restart ecs`
      : `echo 'ECS_CLUSTER=<cluster>' | sudo tee -a /etc/ecs/ecs.config && sudo systemctl restart ecs`,
    configLine: "ECS_CLUSTER=<cluster>",
    automated: false,
  }),
  createCluster: (name: string | undefined, why: string): Remedy => ({
    id: "create-cluster",
    title: `Or create the cluster ${clusterForCommand(name)}, then start the agent`,
    why,
    command: `aws ecs create-cluster --cluster-name ${clusterForCommand(name)}  # then on the instance: sudo systemctl restart ecs`,
    automated: false,
  }),
  freeDisk: (path: string, why: string): Remedy => ({
    id: "free-disk",
    title: `Free space on ${path}, then restart the agent`,
    why,
    command:
      path === "/var/lib/docker"
        ? "sudo docker system df; sudo docker image prune -af && sudo systemctl restart ecs"
        : `sudo du -xh --max-depth=2 ${path} 2>/dev/null | sort -h | tail -n 20  # remove what is not needed, then: sudo systemctl restart ecs`,
    automated: false,
  }),
  syncClock: (why: string): Remedy => ({
    id: "sync-clock",
    title: "Fix the clock (chrony/NTP), then restart the agent",
    why,
    command: "chronyc tracking; sudo systemctl restart chronyd && sudo chronyc makestep && sudo systemctl restart ecs",
    automated: false,
  }),
  setNoProxy: (why: string): Remedy => ({
    id: "set-no-proxy",
    title: "Add NO_PROXY for metadata, task credentials and the Docker socket, in ecs.config and the unit drop-in",
    why,
    command: `echo '${NO_PROXY_LINE}' | sudo tee -a /etc/ecs/ecs.config && sudo mkdir -p /etc/systemd/system/ecs.service.d && printf '[Service]\\nEnvironment="${NO_PROXY_LINE}"\\n' | sudo tee -a ${PROXY_DROP_IN} && sudo systemctl daemon-reload && sudo systemctl restart ecs`,
    configLine: NO_PROXY_LINE,
    automated: false,
  }),
  checkEcsRoute: (region: string | undefined, why: string): Remedy => {
    const r = region && /^[a-z]{2}(-[a-z]+)+-\d$/.test(region) ? region : "<region>";
    return {
      id: "check-ecs-route",
      title: "Check the route to ECS's endpoints (NAT, VPC endpoints, proxy)",
      why,
      command: `for h in ecs.${r}.amazonaws.com ecs-a-1.${r}.amazonaws.com ecs-t-1.${r}.amazonaws.com; do curl -sS -m 5 -o /dev/null -w "$h %{http_code}\\n" "https://$h/" || echo "$h unreachable"; done`,
      automated: false,
    };
  },
  rebootOrReplace: (instanceId: string | null | undefined, group: string | undefined, why: string): Remedy => ({
    id: "reboot-or-replace",
    title: "Reboot the instance so cloud-init runs the user data, or replace it",
    why,
    command: group
      ? `sudo reboot  # or replace it: aws autoscaling terminate-instance-in-auto-scaling-group --instance-id ${instanceId ?? "<instance-id>"} --no-should-decrement-desired-capacity`
      : "sudo reboot",
    automated: false,
  }),
  revertInstanceType: (instanceId: string | null | undefined, why: string): Remedy => ({
    id: "revert-instance-type",
    title: "Revert the instance type change, or launch a new instance",
    why,
    command: `aws ec2 describe-instances --instance-ids ${instanceId ?? "<instance-id>"} --query 'Reservations[].Instances[].InstanceType'`,
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
