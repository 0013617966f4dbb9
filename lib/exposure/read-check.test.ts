import { describe, expect, it } from "vitest";
import { b64, gz, mime } from "@/test/helpers/user-data.ts";
import { readUserDataCheck } from "./read-check.ts";

const script = (...lines: string[]) => ["#!/bin/bash", ...lines].join("\n");
const cloud = (...lines: string[]) => ["#cloud-config", ...lines].join("\n");

type Row = {
  name: string;
  userData: string | undefined;
  enabled: boolean;
  lineNumber?: number;
  part?: string;
  line?: string;
  unreadable?: RegExp;
  invalid?: boolean;
};

const TABLE: Row[] = [
  { name: "no user data", userData: undefined, enabled: false },
  {
    name: "echo >> in a script",
    userData: b64(
      script("echo ECS_CLUSTER=prod >> /etc/ecs/ecs.config", "echo ECS_WARM_POOLS_CHECK=true >> /etc/ecs/ecs.config"),
    ),
    enabled: true,
    lineNumber: 3,
    part: "script",
    line: "ECS_WARM_POOLS_CHECK=true",
  },
  {
    name: "double-quoted echo is unquoted by the shell",
    userData: b64(script('echo "ECS_WARM_POOLS_CHECK=true" >>/etc/ecs/ecs.config')),
    enabled: true,
    lineNumber: 2,
  },
  {
    name: "trap: quoted value written literally",
    userData: b64(script(`echo 'ECS_WARM_POOLS_CHECK="true"' >> /etc/ecs/ecs.config`)),
    enabled: false,
    invalid: true,
    line: 'ECS_WARM_POOLS_CHECK="true"',
  },
  {
    name: "trap: false written last wins",
    userData: b64(
      script(
        "echo ECS_WARM_POOLS_CHECK=true >> /etc/ecs/ecs.config",
        "echo ECS_CLUSTER=prod >> /etc/ecs/ecs.config",
        "echo ECS_WARM_POOLS_CHECK=false >> /etc/ecs/ecs.config",
      ),
    ),
    enabled: false,
    lineNumber: 4,
  },
  {
    name: "trap: a commented shell line writes nothing",
    userData: b64(
      script("# echo ECS_WARM_POOLS_CHECK=true >> /etc/ecs/ecs.config", "echo ECS_CLUSTER=x >> /etc/ecs/ecs.config"),
    ),
    enabled: false,
  },
  {
    name: "trap: a commented ecs.config line is another key",
    userData: b64(
      script("cat <<'EOF' >> /etc/ecs/ecs.config", "ECS_CLUSTER=prod", "#ECS_WARM_POOLS_CHECK=true", "EOF"),
    ),
    enabled: false,
  },
  {
    name: "heredoc: each body line has its own number",
    userData: b64(
      script(
        "set -eu",
        "cat <<EOF >> /etc/ecs/ecs.config",
        "ECS_CLUSTER=prod",
        "  ECS_WARM_POOLS_CHECK=true  ",
        "EOF",
        "echo done",
      ),
    ),
    enabled: true,
    lineNumber: 5,
    line: "ECS_WARM_POOLS_CHECK=true",
  },
  {
    name: "heredoc into tee -a",
    userData: b64(script("tee -a /etc/ecs/ecs.config <<-EOF", "\tECS_WARM_POOLS_CHECK=1", "\tEOF")),
    enabled: true,
    lineNumber: 3,
  },
  {
    name: "echo | sudo tee",
    userData: b64(script("echo ECS_WARM_POOLS_CHECK=True | sudo tee -a /etc/ecs/ecs.config > /dev/null")),
    enabled: true,
  },
  {
    name: "a copy into ecs.config is not read",
    userData: b64(script("cp /tmp/ecs.config /etc/ecs/ecs.config")),
    enabled: false,
    unreadable: /not read/,
  },
  {
    name: "echo | tee without sudo",
    userData: b64(script("echo ECS_WARM_POOLS_CHECK=True | tee -a /etc/ecs/ecs.config > /dev/null")),
    enabled: true,
    lineNumber: 2,
  },
  {
    name: "printf with \\n",
    userData: b64(script('printf "ECS_CLUSTER=a\\nECS_WARM_POOLS_CHECK=true\\n" >> /etc/ecs/ecs.config')),
    enabled: true,
    lineNumber: 2,
  },
  {
    name: "> overwrites what came before",
    userData: b64(
      script("echo ECS_WARM_POOLS_CHECK=true >> /etc/ecs/ecs.config", "echo ECS_CLUSTER=prod > /etc/ecs/ecs.config"),
    ),
    enabled: false,
  },
  {
    name: "sed -i flips it on",
    userData: b64(
      script(
        "echo ECS_WARM_POOLS_CHECK=false >> /etc/ecs/ecs.config",
        "sed -i 's/ECS_WARM_POOLS_CHECK=false/ECS_WARM_POOLS_CHECK=true/' /etc/ecs/ecs.config",
      ),
    ),
    enabled: true,
    lineNumber: 3,
  },
  {
    name: "sed -i deletes it",
    userData: b64(
      script(
        "echo ECS_WARM_POOLS_CHECK=true >> /etc/ecs/ecs.config",
        "sed -i '/^ECS_WARM_POOLS_CHECK=/d' /etc/ecs/ecs.config",
      ),
    ),
    enabled: false,
  },
  {
    name: "a variable makes it unreadable",
    userData: b64(script("CHECK=true", "echo ECS_WARM_POOLS_CHECK=$CHECK >> /etc/ecs/ecs.config")),
    enabled: false,
    unreadable: /depends on the run/,
  },
  {
    name: "gzip",
    userData: b64(gz(script("echo ECS_WARM_POOLS_CHECK=true >> /etc/ecs/ecs.config"))),
    enabled: true,
    lineNumber: 2,
  },
  {
    name: "cloud-config write_files (literal block)",
    userData: b64(
      cloud(
        "write_files:",
        "  - path: /etc/ecs/ecs.config",
        "    append: true",
        "    content: |",
        "      ECS_CLUSTER=prod",
        "      ECS_WARM_POOLS_CHECK=true",
      ),
    ),
    enabled: true,
    lineNumber: 7,
    part: "cloud-config write_files",
  },
  {
    name: "cloud-config write_files b64",
    userData: b64(
      cloud(
        "write_files:",
        "  - path: /etc/ecs/ecs.config",
        "    encoding: b64",
        `    content: ${b64("ECS_WARM_POOLS_CHECK=true\n")}`,
      ),
    ),
    enabled: true,
    lineNumber: 5,
    line: "ECS_WARM_POOLS_CHECK=true",
  },
  {
    name: "write_files without append replaces what a boothook wrote; runcmd runs after",
    userData: b64(
      mime([
        { type: "text/cloud-boothook", body: "#cloud-boothook\necho ECS_WARM_POOLS_CHECK=true >> /etc/ecs/ecs.config" },
        {
          type: "text/cloud-config",
          body: cloud("write_files:", "  - path: /etc/ecs/ecs.config", "    content: ECS_CLUSTER=a\n"),
        },
      ]),
    ),
    enabled: false,
  },
  {
    name: "cloud-config runcmd",
    userData: b64(
      cloud(
        "runcmd:",
        "  - echo ECS_CLUSTER=prod >> /etc/ecs/ecs.config",
        "  - [sh, -c, 'echo ECS_WARM_POOLS_CHECK=true >> /etc/ecs/ecs.config']",
      ),
    ),
    enabled: true,
    lineNumber: 4,
    part: "cloud-config runcmd",
  },
  {
    name: "MIME: script part after a cloud-config part",
    userData: b64(
      mime([
        { type: "text/cloud-config", body: cloud("packages:", "  - jq") },
        { type: "text/x-shellscript", body: script("echo ECS_WARM_POOLS_CHECK=true >> /etc/ecs/ecs.config") },
      ]),
    ),
    enabled: true,
    lineNumber: 2,
    part: "mime part 2 script",
  },
  {
    name: "MIME: base64 part, nested multipart, gzip around it all",
    userData: b64(
      gz(
        mime([
          { type: "text/x-shellscript", body: script("echo ECS_CLUSTER=x >> /etc/ecs/ecs.config"), base64: true },
          {
            type: 'multipart/mixed; boundary="inner"',
            body: mime(
              [{ type: "text/x-shellscript", body: script("", "echo ECS_WARM_POOLS_CHECK=t >> /etc/ecs/ecs.config") }],
              "inner",
            )
              .split("\n")
              .slice(3)
              .join("\n"),
          },
        ]),
      ),
    ),
    enabled: true,
    lineNumber: 3,
    part: "mime part 2.1 script",
  },
  {
    name: "ecs-init trims the line, not the key: a space before = is another key",
    userData: b64(script("cat <<'EOF' >> /etc/ecs/ecs.config", "ECS_WARM_POOLS_CHECK =true", "EOF")),
    enabled: false,
  },
  {
    name: "the value is trimmed (CRLF and spaces around it are harmless)",
    userData: b64(script("cat <<'EOF' >> /etc/ecs/ecs.config", "  ECS_WARM_POOLS_CHECK= true \r", "EOF")),
    enabled: true,
    lineNumber: 3,
  },
  {
    name: "a trailing comment makes the value invalid (the check stays off)",
    userData: b64(script("cat <<'EOF' >> /etc/ecs/ecs.config", "ECS_WARM_POOLS_CHECK=true # warm pools", "EOF")),
    enabled: false,
    invalid: true,
  },
  {
    name: "export is another key",
    userData: b64(script("echo 'export ECS_WARM_POOLS_CHECK=true' >> /etc/ecs/ecs.config")),
    enabled: false,
  },
  {
    name: "printf without a newline, then echo: the two join on one line",
    userData: b64(
      script(
        "printf 'ECS_CLUSTER=prod' >> /etc/ecs/ecs.config",
        "echo ECS_WARM_POOLS_CHECK=true >> /etc/ecs/ecs.config",
      ),
    ),
    enabled: false,
  },
  {
    name: "a later cloud-config part's write_files replaces an earlier one's (cloud-init's list merge)",
    userData: b64(
      mime([
        {
          type: "text/cloud-config",
          body: cloud("write_files:", "  - path: /etc/ecs/ecs.config", "    content: ECS_WARM_POOLS_CHECK=true"),
        },
        { type: "text/cloud-config", body: cloud("write_files:", "  - path: /etc/motd", "    content: hello") },
      ]),
    ),
    enabled: false,
  },
  {
    name: "undecodable user data",
    userData: "%%%not base64",
    enabled: false,
    unreadable: /could not be decoded/,
  },
];

describe("readUserDataCheck", () => {
  it.each(TABLE)("$name", (row) => {
    const { check } = readUserDataCheck(row.userData);
    expect(check.enabled).toBe(row.enabled);
    if (row.lineNumber !== undefined) expect(check.lineNumber).toBe(row.lineNumber);
    if (row.part !== undefined) expect(check.part).toBe(row.part);
    if (row.line !== undefined) expect(check.line).toBe(row.line);
    if (row.invalid !== undefined) expect(check.invalid).toBe(row.invalid);
    if (row.unreadable) expect(check.unreadable).toMatch(row.unreadable);
    else expect(check.unreadable).toBeUndefined();
  });
});
