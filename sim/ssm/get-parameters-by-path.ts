/**
 * GetParametersByPath over the public parameters AWS publishes under /aws/service/: here only the region list
 * (/aws/service/global-infrastructure/regions/<region> = <region>), which callers page through to expand
 * "every region". Any other path holds no parameters, as in an account that has none.
 */
import { DEFAULT_REGIONS } from "../ec2/regions.ts";
import { AwsError, Checker } from "../protocol/errors.ts";
import { type Body, optBool, optInt, optObjectList, optString } from "../protocol/input.ts";
import { page, readToken } from "../protocol/paging.ts";

/** The commercial regions enabled by default in every account (opt-in regions left out): EC2's DescribeRegions list. */
export const PUBLIC_REGIONS = DEFAULT_REGIONS;

const REGIONS_PATH = "/aws/service/global-infrastructure/regions";
/** When AWS last touched these parameters (fixed: they are not ours to change). */
const LAST_MODIFIED = Date.parse("2024-04-25T17:13:52Z") / 1000;

type Parameter = { name: string; value: string };

const PUBLIC_PARAMETERS: Parameter[] = PUBLIC_REGIONS.map((r) => ({ name: `${REGIONS_PATH}/${r}`, value: r }));

export function getParametersByPath(body: Body, region: string): unknown {
  const path = optString(body, "Path");
  const recursive = optBool(body, "Recursive") ?? false;
  const maxResults = optInt(body, "MaxResults");
  const nextToken = optString(body, "NextToken");
  optBool(body, "WithDecryption");
  const filters = optObjectList(body, "ParameterFilters");
  const check = new Checker("ValidationException");
  check.required(path, "path");
  check.minLength(path, 1, "path");
  check.maxLength(path, 2048, "path");
  check.range(maxResults, 1, 10, "maxResults");
  check.throwIfAny();
  if (!path!.startsWith("/"))
    throw new AwsError(
      "ValidationException",
      'The parameter doesn\'t meet the parameter name requirements. The parameter name must begin with a forward slash "/".',
    );
  const base = path!.replace(/\/+$/, "");
  const matches = PUBLIC_PARAMETERS.filter((p) => {
    if (!p.name.startsWith(`${base}/`)) return false;
    return recursive || !p.name.slice(base.length + 1).includes("/");
  });
  const query = { op: "GetParametersByPath", base, recursive, filters: filters ?? [] };
  const result = page(matches, readToken(nextToken, query), maxResults ?? 10, query);
  return {
    Parameters: result.items.map((p) => ({
      Name: p.name,
      Type: "String",
      Value: p.value,
      Version: 1,
      LastModifiedDate: LAST_MODIFIED,
      ARN: `arn:aws:ssm:${region}::parameter${p.name}`,
      DataType: "text",
    })),
    ...(result.nextToken ? { NextToken: result.nextToken } : {}),
  };
}
