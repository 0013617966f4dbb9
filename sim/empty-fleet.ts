/**
 * A fleet with no hosts and no groups: what an account sees in a region where it runs nothing. Lists are empty and
 * anything naming an instance finds none (SendCommand's InvalidInstanceId, Auto Scaling's ValidationError).
 */
import { type Fleet, FleetError } from "./fleet-types.ts";

export function emptyFleet(): Fleet {
  const none = (id: string) => new FleetError("InvalidInstanceId", `unknown instance ${id}`);
  return {
    hosts: () => [],
    host: () => undefined,
    groups: () => [],
    membership: () => undefined,
    clusters: () => [],
    containerInstances: () => [],
    attach(group) {
      throw new FleetError(
        "ValidationError",
        `AutoScalingGroup name not found - AutoScalingGroup '${group}' not found`,
      );
    },
    detach(group) {
      throw new FleetError(
        "ValidationError",
        `AutoScalingGroup name not found - AutoScalingGroup '${group}' not found`,
      );
    },
    run: (id) => Promise.reject(none(id)),
    timing(id) {
      throw none(id);
    },
    describe: () => undefined,
    handle: () => false,
    close: async () => {},
  };
}
