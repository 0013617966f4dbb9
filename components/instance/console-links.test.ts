import { describe, expect, it } from "vitest";
import { consoleLinks } from "./console-links.ts";

describe("consoleLinks", () => {
  it("links the instance's EC2, Systems Manager and Auto Scaling pages in its region", () => {
    const l = consoleLinks({
      region: "eu-west-1",
      instanceId: "i-0a000000000000003",
      commandId: "5f0c1e4a-0000-4000-8000-000000000001",
      group: "web app",
    })!;
    expect(l.ec2).toBe(
      "https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1#InstanceDetails:instanceId=i-0a000000000000003",
    );
    expect(l.runCommand).toBe(
      "https://eu-west-1.console.aws.amazon.com/systems-manager/run-command/5f0c1e4a-0000-4000-8000-000000000001/i-0a000000000000003?region=eu-west-1",
    );
    expect(l.autoScaling).toContain("#AutoScalingGroupDetails:id=web%20app;view=details");
    expect(l.managedNode).toContain("/systems-manager/fleet-manager/managed-nodes/i-0a000000000000003/");
  });

  it("leaves out what does not exist, and a region it cannot name", () => {
    expect(consoleLinks({ region: "us-east-1", instanceId: "i-0a000000000000003" })).not.toHaveProperty("runCommand");
    expect(consoleLinks({ region: "local", instanceId: "i-0a000000000000003" })).toBeUndefined();
  });
});
