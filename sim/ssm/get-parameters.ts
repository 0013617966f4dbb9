/**
 * GetParameters and GetParameter for the public parameters of the ECS-optimized AMIs
 * (`/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended`, `.../recommended/image_id`, ...): the fleet's
 * region's recommended image and every image by name. Unknown names come back in InvalidParameters (GetParameters)
 * or as ParameterNotFound (GetParameter), as SSM answers them.
 */
import type { Fleet } from "../fleet-types.ts";
import { AwsError, Checker } from "../protocol/errors.ts";
import { type Body, optBool, optString, optStringList } from "../protocol/input.ts";
import { epoch } from "./render.ts";

type Param = { name: string; value: string; lastModified: Date; version: number };

function lookup(fleet: Fleet): Map<string, Param> {
  return new Map((fleet.ec2?.parameters() ?? []).map((p) => [p.name, p]));
}

function render(p: Param, region: string) {
  return {
    Name: p.name,
    Type: "String",
    Value: p.value,
    Version: p.version,
    LastModifiedDate: epoch(p.lastModified),
    ARN: `arn:aws:ssm:${region}::parameter${p.name}`,
    DataType: "text",
  };
}

export function getParameters(body: Body, fleet: Fleet) {
  const names = optStringList(body, "Names");
  optBool(body, "WithDecryption");
  const check = new Checker("ValidationException");
  check.required(names, "names");
  check.minLength(names, 1, "names");
  check.maxLength(names, 10, "names");
  if (names?.some((n) => n.length < 1 || n.length > 2048))
    check.add(names, "names", "Member must have length less than or equal to 2048");
  check.throwIfAny();
  const known = lookup(fleet);
  const region = fleet.ec2?.region ?? "us-east-1";
  const found = [...new Set(names)].filter((n) => known.has(n));
  const invalid = [...new Set(names)].filter((n) => !known.has(n));
  return { Parameters: found.map((n) => render(known.get(n)!, region)), InvalidParameters: invalid };
}

export function getParameter(body: Body, fleet: Fleet) {
  const name = optString(body, "Name");
  optBool(body, "WithDecryption");
  const check = new Checker("ValidationException");
  check.required(name, "name");
  check.maxLength(name, 2048, "name");
  check.throwIfAny();
  const p = lookup(fleet).get(name!);
  if (!p) throw new AwsError("ParameterNotFound", `Parameter ${name} not found.`);
  return { Parameter: render(p, fleet.ec2?.region ?? "us-east-1") };
}
