/**
 * The simulator's cloud-init: what each user-data format leaves in ecs.config, byte for byte, and what the agent
 * model then reads from it (last assignment wins, quoted values are not booleans, comments are not keys).
 */
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { goParseBool, parseEcsConfig } from "./ecs-config.ts";
import { bootFiles, decodeUserData, ETC_ECS_CONFIG, encodeUserData, VAR_LIB_ECS_CONFIG } from "./user-data.ts";

const ecsConfig = (text: string, gzip = false) => bootFiles(encodeUserData(text, gzip)).get(ETC_ECS_CONFIG);
const check = (text: string) => {
  const files = bootFiles(encodeUserData(text));
  return goParseBool(
    parseEcsConfig(files.get(VAR_LIB_ECS_CONFIG), files.get(ETC_ECS_CONFIG)).get("ECS_WARM_POOLS_CHECK") ?? "",
  );
};

describe("shell scripts", () => {
  it("echo and printf with > and >>, quotes as sh reads them", () => {
    expect(
      ecsConfig(
        [
          "#!/bin/bash",
          "set -euo pipefail",
          "echo ECS_CLUSTER=prod > /etc/ecs/ecs.config",
          'echo "ECS_WARM_POOLS_CHECK=true" >> /etc/ecs/ecs.config',
          "printf 'ECS_LOGLEVEL=%s\\n' debug >> /etc/ecs/ecs.config",
          "echo 'ECS_RESERVED_MEMORY=\"256\"' >> /etc/ecs/ecs.config",
          "yum install -y jq # not a write",
        ].join("\n"),
      ),
    ).toBe('ECS_CLUSTER=prod\nECS_WARM_POOLS_CHECK=true\nECS_LOGLEVEL=debug\nECS_RESERVED_MEMORY="256"\n');
  });

  it("cat and tee heredocs (quoted delimiter, <<-), echo | tee -a, sudo", () => {
    const text = [
      "#!/bin/bash",
      "cat <<'EOF' > /etc/ecs/ecs.config",
      "ECS_CLUSTER=a",
      "# a comment line inside the file",
      "EOF",
      "tee -a /etc/ecs/ecs.config <<-EOF",
      "\tECS_WARM_POOLS_CHECK=true",
      "\tEOF",
      "echo ECS_ENABLE_TASK_IAM_ROLE=true | sudo tee -a /etc/ecs/ecs.config > /dev/null",
      "sudo sh -c 'true'",
      "echo ECS_INSTANCE_ATTRIBUTES={} | tee -a /var/lib/ecs/ecs.config",
    ].join("\n");
    const files = bootFiles(encodeUserData(text));
    expect(files.get(ETC_ECS_CONFIG)).toBe(
      "ECS_CLUSTER=a\n# a comment line inside the file\nECS_WARM_POOLS_CHECK=true\nECS_ENABLE_TASK_IAM_ROLE=true\n",
    );
    expect(files.get(VAR_LIB_ECS_CONFIG)).toBe("ECS_INSTANCE_ATTRIBUTES={}\n");
  });

  it("sed -i turns the check off or deletes its line; ; and && split commands outside quotes only", () => {
    const text = [
      "#!/bin/bash",
      "echo ECS_CLUSTER=a >> /etc/ecs/ecs.config; echo 'ECS_WARM_POOLS_CHECK=true' >> /etc/ecs/ecs.config",
      "echo 'ECS_IMAGE_PULL_BEHAVIOR=once; really' >> /etc/ecs/ecs.config && echo ECS_LOGLEVEL=info >> /etc/ecs/ecs.config",
      "sed -i 's/ECS_WARM_POOLS_CHECK=true/ECS_WARM_POOLS_CHECK=false/' /etc/ecs/ecs.config",
      "sudo sed -i -e '/^ECS_LOGLEVEL/d' /etc/ecs/ecs.config",
      "sed 's/a/b/' /etc/ecs/ecs.config",
    ].join("\n");
    expect(ecsConfig(text)).toBe("ECS_CLUSTER=a\nECS_WARM_POOLS_CHECK=false\nECS_IMAGE_PULL_BEHAVIOR=once; really\n");
    expect(check(text)).toBe(false);
  });

  it("a commented-out shell line writes nothing; a quoted # line is written as a comment", () => {
    const text =
      "#!/bin/bash\n# echo ECS_WARM_POOLS_CHECK=true >> /etc/ecs/ecs.config\necho '#ECS_WARM_POOLS_CHECK=true' >> /etc/ecs/ecs.config\n";
    expect(ecsConfig(text)).toBe("#ECS_WARM_POOLS_CHECK=true\n");
    expect(check(text)).toBeUndefined();
  });
});

describe("cloud-config", () => {
  it("write_files (append or replace, base64 content) then runcmd (strings and argv lists)", () => {
    const b64 = Buffer.from("ECS_LOGLEVEL=info\n").toString("base64");
    const text = [
      "#cloud-config",
      "write_files:",
      "  - path: /etc/ecs/ecs.config",
      "    content: |",
      "      ECS_CLUSTER=files",
      "  - path: /etc/ecs/ecs.config",
      "    append: true",
      "    encoding: b64",
      `    content: ${b64}`,
      "runcmd:",
      "  - echo ECS_WARM_POOLS_CHECK=true >> /etc/ecs/ecs.config",
      '  - [ sh, -c, "echo ECS_WARM_POOLS_CHECK=false >> /etc/ecs/ecs.config" ]',
      "  - [ systemctl, restart, --no-block, ecs ]",
    ].join("\n");
    expect(ecsConfig(text)).toBe(
      "ECS_CLUSTER=files\nECS_LOGLEVEL=info\nECS_WARM_POOLS_CHECK=true\nECS_WARM_POOLS_CHECK=false\n",
    );
    expect(check(text)).toBe(false);
  });

  it("bootcmd runs before write_files; deferred files are not ecs-init's business here", () => {
    const text =
      '#cloud-config\nbootcmd:\n  - echo ECS_CLUSTER=boot >> /etc/ecs/ecs.config\nwrite_files:\n  - path: /etc/ecs/ecs.config\n    append: true\n    content: "ECS_WARM_POOLS_CHECK=true\\n"\n';
    expect(ecsConfig(text)).toBe("ECS_CLUSTER=boot\nECS_WARM_POOLS_CHECK=true\n");
  });
});

describe("MIME multipart and gzip", () => {
  const mime = (parts: [string, string][]) =>
    [
      'Content-Type: multipart/mixed; boundary="XYZ"',
      "MIME-Version: 1.0",
      "",
      ...parts.flatMap(([type, body]) => ["--XYZ", `Content-Type: ${type}; charset="us-ascii"`, "", body, ""]),
      "--XYZ--",
      "",
    ].join("\n");

  it("cloud-config parts (init stage) before shell parts (final stage), whatever their order in the message", () => {
    const text = mime([
      ["text/x-shellscript", "#!/bin/bash\necho ECS_WARM_POOLS_CHECK=true >> /etc/ecs/ecs.config"],
      [
        "text/cloud-config",
        "#cloud-config\nwrite_files:\n  - path: /etc/ecs/ecs.config\n    content: |\n      ECS_CLUSTER=mime\n",
      ],
    ]);
    expect(ecsConfig(text)).toBe("ECS_CLUSTER=mime\nECS_WARM_POOLS_CHECK=true\n");
    expect(check(text)).toBe(true);
  });

  it("base64 parts, CRLF line ends", () => {
    const body = Buffer.from("#!/bin/bash\necho ECS_WARM_POOLS_CHECK=true >> /etc/ecs/ecs.config\n").toString("base64");
    const text = [
      'Content-Type: multipart/mixed; boundary="B"',
      "MIME-Version: 1.0",
      "",
      "--B",
      "Content-Type: text/x-shellscript",
      "Content-Transfer-Encoding: base64",
      "",
      body,
      "--B--",
      "",
    ].join("\r\n");
    expect(ecsConfig(text)).toBe("ECS_WARM_POOLS_CHECK=true\n");
  });

  it("gzip, as EC2 stores it (base64 of the compressed bytes)", () => {
    const script = "#!/bin/bash\necho ECS_WARM_POOLS_CHECK=true >> /etc/ecs/ecs.config\n";
    expect(decodeUserData(gzipSync(Buffer.from(script)).toString("base64"))).toBe(script);
    expect(ecsConfig(script, true)).toBe("ECS_WARM_POOLS_CHECK=true\n");
  });
});

describe("what the agent reads from it", () => {
  it("last assignment wins; a quoted true is not a boolean; garbage user data writes nothing", () => {
    expect(
      check(
        "#!/bin/bash\necho ECS_WARM_POOLS_CHECK=true >> /etc/ecs/ecs.config\necho ECS_WARM_POOLS_CHECK=false >> /etc/ecs/ecs.config\n",
      ),
    ).toBe(false);
    expect(check("#!/bin/bash\necho 'ECS_WARM_POOLS_CHECK=\"true\"' >> /etc/ecs/ecs.config\n")).toBeUndefined();
    expect(bootFiles("!!!not base64").size).toBe(0);
    expect(bootFiles(undefined).size).toBe(0);
  });
});
