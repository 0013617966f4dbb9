import { describe, expect, it } from "vitest";
import { agentText, imageText, launchText, withFleet } from "./exposure-text.ts";

describe("launchText", () => {
  it("names the template and version, the resolved number when an alias was launched", () => {
    expect(launchText({ kind: "launch-template", templateId: "lt-1", templateName: "web-ecs", version: "1" })).toBe(
      "web-ecs@1",
    );
    expect(launchText({ kind: "launch-template", templateId: "lt-1", version: "$Default", resolvedVersion: 3 })).toBe(
      "lt-1@$Default (3)",
    );
    expect(launchText({ kind: "mixed-instances", templateId: "lt-2", templateName: "m", version: "2" })).toBe(
      "m@2, mixed instances",
    );
    expect(launchText({ kind: "launch-configuration", name: "old-lc" })).toBe("launch configuration old-lc");
    expect(launchText({ kind: "none" })).toBe("(none)");
  });
});

describe("agentText / imageText", () => {
  it("says where the version was learned and whether it is affected", () => {
    expect(agentText({ version: "1.89.3", source: "image-name", affected: true })).toBe(
      "1.89.3 (from the image name, affected)",
    );
    expect(agentText({ source: "unknown" })).toBe("unknown (source unknown)");
    expect(imageText({ source: "probe" })).toBe("(unknown)");
    expect(imageText({ source: "ssm-parameter", imageId: "ami-1", imageName: "al2023" })).toBe("al2023 (ami-1)");
  });
});

describe("withFleet", () => {
  it("keeps the fleet in a link's query, and nothing when there is none", () => {
    expect(withFleet("/instances", "123456789012/us-east-1", { group: "web", verdict: "lifecycle-404:ready" })).toBe(
      "/instances?group=web&verdict=lifecycle-404%3Aready&fleet=123456789012%2Fus-east-1",
    );
    expect(withFleet("/groups", undefined)).toBe("/groups");
  });
});
