/** SendCommand: validation exactly as SSM enforces it, target resolution, then the command store takes over. */
import type { Fleet } from "../fleet-types.ts";
import { AwsError, Checker } from "../protocol/errors.ts";
import { type Body, optInt, optObjectList, optParameters, optString, optStringList } from "../protocol/input.ts";
import type { CommandStore } from "./invocations.ts";
import { commandJson } from "./render.ts";

export const INSTANCE_ID_SOURCE = "(^i-(\\w{8}|\\w{17})$)|(^mi-\\w{17}$)";
export const INSTANCE_ID = new RegExp(INSTANCE_ID_SOURCE);
const DOCUMENT_ARN_SOURCE = "^[a-zA-Z0-9_\\-.:/]{3,128}$";
const MAX_CONCURRENCY_SOURCE = "^([1-9][0-9]*|[1-9][0-9]%|[1-9]%|100%)$";
const MAX_ERRORS_SOURCE = "^([1-9][0-9]*|[0]|[1-9][0-9]%|[0-9]%|100%)$";
const DOCUMENT_VERSION_SOURCE = "([$]LATEST|[$]DEFAULT|^[1-9][0-9]*$)";
const RUN_SHELL_SCRIPT = "AWS-RunShellScript";
const RUN_SHELL_SCRIPT_PARAMETERS = new Set(["commands", "workingDirectory", "executionTimeout"]);
const MAX_DOCUMENT_BYTES = 64 * 1024;

/** Checks the members of a list of instance ids as Coral does ("Member must satisfy constraint: [...]"). */
export function checkInstanceIdList(check: Checker, ids: string[] | undefined, at: string, max = 50): void {
  if (!ids) return;
  check.maxLength(ids, max, at);
  if (ids.some((id) => !INSTANCE_ID.test(id)))
    check.add(
      ids,
      at,
      `Member must satisfy constraint: [Member must satisfy regular expression pattern: ${INSTANCE_ID_SOURCE}]`,
    );
}

function matchesTarget(instanceId: string, tags: Record<string, string>, key: string, values: string[]): boolean {
  if (key === "InstanceIds") return values.includes(instanceId);
  if (key.startsWith("tag:")) {
    const v = tags[key.slice(4)];
    return v !== undefined && values.includes(v);
  }
  if (key === "tag-key") return values.some((k) => k in tags);
  // resource-groups:* and anything else match nothing here: the simulator has no resource groups.
  return false;
}

/** `account`: the caller's, which SSM names when it refuses targets. */
export function sendCommand(body: Body, fleet: Fleet, store: CommandStore, account: string): unknown {
  const instanceIds = optStringList(body, "InstanceIds");
  const targetsRaw = optObjectList(body, "Targets");
  const documentName = optString(body, "DocumentName");
  const documentVersion = optString(body, "DocumentVersion");
  const timeoutSeconds = optInt(body, "TimeoutSeconds");
  const comment = optString(body, "Comment");
  const parameters = optParameters(body, "Parameters");
  const maxConcurrency = optString(body, "MaxConcurrency");
  const maxErrors = optString(body, "MaxErrors");
  const targets = (targetsRaw ?? []).map((t, i) => {
    const key = t.Key;
    const values = t.Values;
    if (key !== undefined && typeof key !== "string")
      throw new AwsError("SerializationException", `Member 'Targets.${i + 1}.Key' must be a string`);
    if (values !== undefined && (!Array.isArray(values) || values.some((v) => typeof v !== "string")))
      throw new AwsError("SerializationException", `Member 'Targets.${i + 1}.Values' must be a list of strings`);
    return { Key: (key as string | undefined) ?? "", Values: (values as string[] | undefined) ?? [] };
  });

  const check = new Checker("ValidationException");
  checkInstanceIdList(check, instanceIds, "instanceIds");
  check.maxLength(targetsRaw, 5, "targets");
  targets.forEach((t, i) => {
    check.maxLength(t.Values, 50, `targets.${i + 1}.member.values`);
    check.minLength(t.Key, 1, `targets.${i + 1}.member.key`);
    check.maxLength(t.Key, 163, `targets.${i + 1}.member.key`);
  });
  check.required(documentName, "documentName");
  check.pattern(documentName, new RegExp(DOCUMENT_ARN_SOURCE), DOCUMENT_ARN_SOURCE, "documentName");
  check.pattern(documentVersion, new RegExp(DOCUMENT_VERSION_SOURCE), DOCUMENT_VERSION_SOURCE, "documentVersion");
  check.range(timeoutSeconds, 30, 2592000, "timeoutSeconds");
  check.maxLength(comment, 100, "comment");
  check.minLength(maxConcurrency, 1, "maxConcurrency");
  check.maxLength(maxConcurrency, 7, "maxConcurrency");
  check.pattern(maxConcurrency, new RegExp(MAX_CONCURRENCY_SOURCE), MAX_CONCURRENCY_SOURCE, "maxConcurrency");
  check.minLength(maxErrors, 1, "maxErrors");
  check.maxLength(maxErrors, 7, "maxErrors");
  check.pattern(maxErrors, new RegExp(MAX_ERRORS_SOURCE), MAX_ERRORS_SOURCE, "maxErrors");
  check.throwIfAny();

  const hasIds = (instanceIds?.length ?? 0) > 0;
  const hasTargets = targets.length > 0;
  if (hasIds && hasTargets)
    throw new AwsError("ValidationException", "InstanceIds and Targets cannot both be specified.");

  const name = documentName!.includes("document/")
    ? documentName!.slice(documentName!.lastIndexOf("/") + 1)
    : documentName!;
  if (name !== RUN_SHELL_SCRIPT)
    throw new AwsError("InvalidDocument", `Document with name ${documentName} does not exist.`);
  if (documentVersion && !["$DEFAULT", "$LATEST", "1"].includes(documentVersion))
    throw new AwsError("InvalidDocumentVersion", `Document ${name} does not have version ${documentVersion}.`);

  const params = parameters ?? {};
  for (const key of Object.keys(params)) {
    if (!RUN_SHELL_SCRIPT_PARAMETERS.has(key))
      throw new AwsError("InvalidParameters", `document ${RUN_SHELL_SCRIPT} does not support parameters: ${key}`);
  }
  const commands = params.commands;
  if (!commands || commands.length === 0)
    throw new AwsError("InvalidParameters", `Parameter "commands" is required by document ${RUN_SHELL_SCRIPT}.`);
  if (Buffer.byteLength(JSON.stringify(params)) > MAX_DOCUMENT_BYTES)
    throw new AwsError(
      "MaxDocumentSizeExceeded",
      "The content for the document exceeds the maximum allowed size of 64 KB.",
    );
  let executionTimeoutSeconds = 3600;
  if (params.executionTimeout !== undefined) {
    const raw = params.executionTimeout.length === 1 ? params.executionTimeout[0]! : "";
    const n = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
    if (!(n >= 1 && n <= 172800))
      throw new AwsError(
        "InvalidParameters",
        `Parameter "executionTimeout" must be a number of seconds between 1 and 172800; got "${raw}".`,
      );
    executionTimeoutSeconds = n;
  }
  const workingDirectory = params.workingDirectory?.[0] || undefined;
  if (!hasIds && !hasTargets)
    throw new AwsError("ValidationException", "Either InstanceIds or Targets must be specified.");

  let resolved: string[];
  if (hasIds) {
    const seen = new Set<string>();
    for (const id of instanceIds!) {
      if (seen.has(id)) throw new AwsError("DuplicateInstanceId", `Instance Id ${id} is duplicated in the request.`);
      seen.add(id);
    }
    // Unknown, stopped or deregistered (Inactive) instances are not managed nodes SSM can target.
    const invalid = instanceIds!.filter((id) => {
      const h = fleet.host(id);
      return !h || h.stopped || h.pingStatus === "Inactive";
    });
    if (invalid.length > 0)
      throw new AwsError(
        "InvalidInstanceId",
        `Instances [[${invalid.join(", ")}]] not in a valid state for account ${account}`,
      );
    resolved = [...instanceIds!];
  } else {
    resolved = fleet
      .hosts()
      .filter((h) => !h.stopped && h.pingStatus !== "Inactive")
      .filter((h) => targets.every((t) => matchesTarget(h.instanceId, h.tags, t.Key, t.Values)))
      .map((h) => h.instanceId);
  }

  const cmd = store.send({
    documentName: name,
    documentVersion: documentVersion ?? "$DEFAULT",
    comment: comment ?? "",
    parameters: params,
    instanceIds: instanceIds ?? [],
    targets,
    timeoutSeconds: timeoutSeconds ?? 3600,
    maxConcurrency: maxConcurrency ?? "50",
    maxErrors: maxErrors ?? "0",
    commands,
    executionTimeoutSeconds,
    workingDirectory,
    resolvedInstanceIds: resolved,
  });
  return { Command: commandJson(cmd) };
}
