/** ListClusters: the ARNs of the fleet's clusters, paged (maxResults 1..100, default 100). */
import type { Fleet } from "../fleet-types.ts";
import { Checker } from "../protocol/errors.ts";
import { type Body, optInt, optString } from "../protocol/input.ts";
import { page } from "../protocol/paging.ts";
import { checkMaxResults, ecsToken } from "./clusters.ts";

export function listClusters(body: Body, fleet: Fleet): unknown {
  const maxResults = optInt(body, "maxResults");
  const nextToken = optString(body, "nextToken");
  const check = new Checker("InvalidParameterException");
  checkMaxResults(check, maxResults);
  check.throwIfAny();
  const query = { op: "ListClusters" };
  const result = page(
    fleet.clusters().map((c) => c.arn),
    ecsToken(nextToken, query),
    maxResults ?? 100,
    query,
  );
  return { clusterArns: result.items, ...(result.nextToken ? { nextToken: result.nextToken } : {}) };
}
