/** DescribeInstanceInformation: the managed nodes SSM knows (stopped instances are not listed), filtered and paged. */
import type { Fleet, HostInfo } from "../fleet-types.ts";
import { AwsError, Checker } from "../protocol/errors.ts";
import { type Body, optInt, optObjectList, optString } from "../protocol/input.ts";
import { page, readToken } from "../protocol/paging.ts";
import { epoch } from "./render.ts";
import { INSTANCE_ID } from "./send-command.ts";

const LEGACY_KEYS = [
  "InstanceIds",
  "AgentVersion",
  "PingStatus",
  "PlatformTypes",
  "ActivationIds",
  "IamRole",
  "ResourceType",
  "AssociationStatus",
];
const PING = ["Online", "ConnectionLost", "Inactive"];
const PLATFORMS = ["Windows", "Linux", "MacOS"];

type Filter = { key: string; values: string[] };

function readFilters(
  list: Body[] | undefined,
  keyName: "Key" | "key",
  valuesName: "Values" | "valueSet",
  at: string,
): Filter[] {
  return (list ?? []).map((f, i) => {
    const key = f[keyName];
    const values = f[valuesName];
    const check = new Checker("ValidationException");
    if (typeof key !== "string") check.required(undefined, `${at}.${i + 1}.member.${keyName}`);
    if (!Array.isArray(values) || values.some((v) => typeof v !== "string"))
      check.required(undefined, `${at}.${i + 1}.member.${valuesName}`);
    else {
      check.minLength(values, 1, `${at}.${i + 1}.member.${valuesName}`);
      check.maxLength(values, 100, `${at}.${i + 1}.member.${valuesName}`);
    }
    check.throwIfAny();
    return { key: key as string, values: values as string[] };
  });
}

function predicate(f: Filter): (h: HostInfo) => boolean {
  const { key, values } = f;
  if (key.startsWith("tag:")) {
    const tag = key.slice(4);
    return (h) => h.tags[tag] !== undefined && values.includes(h.tags[tag]!);
  }
  switch (key) {
    case "tag-key":
      return (h) => values.some((k) => k in h.tags);
    case "InstanceIds":
      if (values.some((v) => !INSTANCE_ID.test(v)))
        throw new AwsError(
          "InvalidInstanceId",
          `Invalid instance id(s): ${values.filter((v) => !INSTANCE_ID.test(v)).join(", ")}`,
        );
      return (h) => values.includes(h.instanceId);
    case "PingStatus":
      if (values.some((v) => !PING.includes(v)))
        throw new AwsError(
          "InvalidInstanceInformationFilterValue",
          `${values.filter((v) => !PING.includes(v)).join(", ")} is not a valid value for PingStatus.`,
        );
      return (h) => values.includes(h.pingStatus);
    case "PlatformTypes":
      if (values.some((v) => !PLATFORMS.includes(v)))
        throw new AwsError(
          "InvalidInstanceInformationFilterValue",
          `${values.filter((v) => !PLATFORMS.includes(v)).join(", ")} is not a valid value for PlatformTypes.`,
        );
      return (h) => values.includes(h.platformType);
    case "AgentVersion":
      return (h) => values.includes(h.ssmAgentVersion);
    case "ResourceType":
      return () => values.includes("EC2Instance");
    case "ActivationIds":
    case "IamRole":
    case "AssociationStatus":
      return () => false;
    default:
      throw new AwsError("InvalidFilterKey", `The filter key ${key} is not valid.`);
  }
}

function hostJson(h: HostInfo): Record<string, unknown> {
  return {
    InstanceId: h.instanceId,
    PingStatus: h.pingStatus,
    LastPingDateTime: epoch(h.lastPingAt),
    AgentVersion: h.ssmAgentVersion,
    IsLatestVersion: false,
    PlatformType: h.platformType,
    PlatformName: h.platformName,
    PlatformVersion: h.platformVersion,
    ResourceType: "EC2Instance",
    IPAddress: h.ipAddress,
    ComputerName: h.computerName,
    SourceId: h.instanceId,
    SourceType: "AWS::EC2::Instance",
  };
}

export function describeInstanceInformation(body: Body, fleet: Fleet): unknown {
  const legacy = optObjectList(body, "InstanceInformationFilterList");
  const filtersRaw = optObjectList(body, "Filters");
  const maxResults = optInt(body, "MaxResults");
  const nextToken = optString(body, "NextToken");

  const check = new Checker("ValidationException");
  check.range(maxResults, 5, 50, "maxResults");
  check.throwIfAny();
  if ((legacy?.length ?? 0) > 0 && (filtersRaw?.length ?? 0) > 0)
    throw new AwsError(
      "InvalidInstanceInformationFilterValue",
      "InstanceInformationFilterList and Filters cannot be used together.",
    );

  const legacyFilters = readFilters(legacy, "key", "valueSet", "instanceInformationFilterList");
  for (const f of legacyFilters)
    if (!LEGACY_KEYS.includes(f.key)) throw new AwsError("InvalidFilterKey", `The filter key ${f.key} is not valid.`);
  const filters = [...legacyFilters, ...readFilters(filtersRaw, "Key", "Values", "filters")];
  const preds = filters.map(predicate);
  const hosts = fleet.hosts().filter((h) => !h.stopped && preds.every((p) => p(h)));

  const query = { op: "DescribeInstanceInformation", filters };
  const result = page(hosts, readToken(nextToken, query), maxResults ?? 10, query);
  return {
    InstanceInformationList: result.items.map(hostJson),
    ...(result.nextToken ? { NextToken: result.nextToken } : {}),
  };
}
