import { EC2Client } from "@aws-sdk/client-ec2";
import type { Clients } from "../aws/clients.ts";
import type { ExposureContext } from "./group-exposures.ts";

const made = new WeakMap<Clients, EC2Client>();

/**
 * What reading and fixing groups' exposure needs: a fleet's Auto Scaling and SSM clients, and an EC2 client in the
 * same region with the same credentials and retry budget. EC2 is made here, not with every fleet's clients
 * (lib/aws/clients.ts): its SDK package alone adds about 65 MB to a process, which scans and the watcher never need.
 */
export function exposureClients(clients: Clients): ExposureContext["clients"] {
  let ec2 = made.get(clients);
  if (!ec2) {
    const c = clients.ssm.config;
    ec2 = new EC2Client({
      region: c.region,
      credentials: c.credentials,
      maxAttempts: c.maxAttempts,
      retryMode: c.retryMode,
    });
    made.set(clients, ec2);
  }
  return { ec2, autoscaling: clients.autoscaling, ssm: clients.ssm };
}
