import type { ActionKind } from "@/lib/actions/types.ts";

/** What a person reads before confirming: the remedy in shell they know (the full script is one click away). */
export const REMEDY: Record<ActionKind, { title: string; button: string; command: string }> = {
  restart: {
    title: "Restart the ECS agent",
    button: "Restart agent",
    command:
      "systemctl restart ecs    # Upstart: stop ecs; start ecs\n# then wait until the agent registers (introspection has a ContainerInstanceArn) or fails again",
  },
  "disable-check-and-restart": {
    title: "Turn the warm-pool check off and restart",
    button: "Turn check off and restart",
    command:
      "cp -p /etc/ecs/ecs.config /etc/ecs/ecs.config.bak.<UTC time>\n# every ECS_WARM_POOLS_CHECK= line becomes (or a line is added):\nECS_WARM_POOLS_CHECK=false\nsystemctl restart ecs    # Upstart: stop ecs; start ecs\n# then wait until the agent registers or fails again",
  },
};
