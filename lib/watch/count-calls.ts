import type { SSMClient } from "@aws-sdk/client-ssm";
import type { Clients } from "../aws/clients.ts";

/**
 * Counts every AWS request these clients send (each attempt, retries included: each is a call AWS sees and
 * throttles), so that a look can say what it cost. The clients should be the watcher's own: a probe scan runs on
 * others so that its calls never count as the look's.
 */
export function countCalls(clients: Clients): { readonly total: number } {
  const counter = { total: 0 };
  // The ECS client's smithy types differ from SSM's (another SDK release); its middleware stack is the same.
  for (const client of [clients.ssm, clients.autoscaling, clients.ecs as unknown as SSMClient]) {
    client.middlewareStack.add(
      (next) => async (args) => {
        counter.total += 1;
        return next(args);
      },
      { step: "deserialize", name: "fleetDoctorWatchCallCounter", priority: "low" },
    );
  }
  return counter;
}
