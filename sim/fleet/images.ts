/**
 * The simulator's image catalogue: the ECS-optimized AMIs (Amazon Linux 2023 and 2) with the agent each ships, a
 * stock Amazon Linux 2023 AMI (no ECS at all), and a scenario's own images. A launch takes its host's agent version,
 * OS and AMI kind from here, so a launch template that points at an old image launches an affected agent.
 *
 * Dates and agents of 20250121 .. 20250318 follow the ECS-optimized AMI changelog (facts/ecs-agent.md: 20250121 ships
 * 1.89.3, 20250206 1.90.0, 20250304 1.91.0, 20250318 the fixed 1.91.1); the 2024 image is illustrative (an agent
 * from before the regression). Image ids are per region (as real AMI ids are), stable from the name and the region.
 */
import { hashString } from "./random.ts";

/** The account that publishes the ECS-optimized AMIs (owner alias `amazon`). */
export const ECS_AMI_OWNER = "591542846629";
/** The account that publishes the stock Amazon Linux AMIs (owner alias `amazon`). */
export const AMAZON_LINUX_OWNER = "137112412989";

export type ImageOs = "al2023" | "al2";

export type CatalogueImage = {
  name: string;
  /** The ECS agent (and ecs-init) the image ships; undefined for an image without ECS. */
  agentVersion?: string;
  os: ImageOs;
  arch: "x86_64" | "arm64";
  /** ISO 8601 creation time. */
  creationDate: string;
  ownerId: string;
  ownerAlias?: string;
  description: string;
  /** Docker as the SSM parameter's ecs_runtime_version says it. */
  runtime?: string;
  /** A fixed id (a scenario's own image); otherwise derived from the name and the region. */
  id?: string;
};

export type RegionalImage = CatalogueImage & { id: string };

function ecsAl2023(date: string, agent: string, docker: string, arch: "x86_64" | "arm64" = "x86_64"): CatalogueImage {
  return {
    name: `al2023-ami-ecs-hvm-2023.0.${date}-kernel-6.1-${arch}`,
    agentVersion: agent,
    os: "al2023",
    arch,
    creationDate: `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}T01:12:33.000Z`,
    ownerId: ECS_AMI_OWNER,
    ownerAlias: "amazon",
    description: `Amazon Linux AMI 2023.0.${date} ${arch} ECS HVM EBS`,
    runtime: `Docker version ${docker}`,
  };
}

function ecsAl2(date: string, agent: string, docker: string): CatalogueImage {
  return {
    name: `amzn2-ami-ecs-hvm-2.0.${date}-x86_64-ebs`,
    agentVersion: agent,
    os: "al2",
    arch: "x86_64",
    creationDate: `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}T00:41:08.000Z`,
    ownerId: ECS_AMI_OWNER,
    ownerAlias: "amazon",
    description: `Amazon Linux AMI 2.0.${date} x86_64 ECS HVM GP2`,
    runtime: `Docker version ${docker}`,
  };
}

/** Oldest first; the last ECS image of each OS and architecture is the recommended one. */
export const ECS_IMAGES: CatalogueImage[] = [
  ecsAl2023("20241217", "1.89.2", "25.0.6"),
  ecsAl2023("20250121", "1.89.3", "25.0.6"),
  ecsAl2023("20250206", "1.90.0", "25.0.6"),
  ecsAl2023("20250224", "1.90.0", "25.0.8"),
  ecsAl2023("20250304", "1.91.0", "25.0.8"),
  ecsAl2023("20250318", "1.91.1", "25.0.8"),
  ecsAl2023("20250121", "1.89.3", "25.0.6", "arm64"),
  ecsAl2023("20250318", "1.91.1", "25.0.8", "arm64"),
  ecsAl2("20241217", "1.89.2", "25.0.6"),
  ecsAl2("20250121", "1.89.3", "25.0.6"),
  ecsAl2("20250206", "1.90.0", "25.0.6"),
  ecsAl2("20250304", "1.91.0", "25.0.8"),
  ecsAl2("20250318", "1.91.1", "25.0.8"),
];

/** A stock Amazon Linux 2023 image: no ecs-init, no Docker (a launch template pointed at the wrong AMI). */
export const PLAIN_IMAGES: CatalogueImage[] = [
  {
    name: "al2023-ami-2023.6.20250317.2-kernel-6.1-x86_64",
    os: "al2023",
    arch: "x86_64",
    creationDate: "2025-03-17T19:02:11.000Z",
    ownerId: AMAZON_LINUX_OWNER,
    ownerAlias: "amazon",
    description: "Amazon Linux 2023 AMI 2023.6.20250317.2 x86_64 HVM kernel-6.1",
  },
];

export function imageIdFor(name: string, region: string): string {
  const h = (n: number) => hashString(`${region}/${name}/${n}`).toString(16).padStart(8, "0");
  return `ami-0${h(1)}${h(2)}`;
}

/** The recommended ECS-optimized image of an OS and architecture (the newest one). */
export function recommendedImage(images: RegionalImage[], os: ImageOs, arch = "x86_64"): RegionalImage | undefined {
  return images
    .filter((i) => i.ownerId === ECS_AMI_OWNER && i.os === os && i.arch === arch && i.agentVersion)
    .sort((a, b) => a.creationDate.localeCompare(b.creationDate))
    .at(-1);
}

/** The catalogue of one region: Amazon's images plus the scenario's own. */
export function regionalImages(region: string, own: CatalogueImage[] = []): RegionalImage[] {
  return [...ECS_IMAGES, ...PLAIN_IMAGES, ...own].map((i) => ({ ...i, id: i.id ?? imageIdFor(i.name, region) }));
}

/** The SSM path segment of an OS's ECS-optimized AMI parameters. */
export const SSM_OS_PATH: Record<ImageOs, string> = { al2023: "amazon-linux-2023", al2: "amazon-linux-2" };
const SSM_OS_NAME: Record<ImageOs, string> = { al2023: "Amazon Linux 2023", al2: "Amazon Linux 2" };

export type PublicParameter = { name: string; value: string; lastModified: Date; version: number };

/**
 * The public parameters of the ECS-optimized AMIs, as SSM serves them under /aws/service/ecs/optimized-ami/:
 * `<os>/recommended` (a JSON document), its fields one by one (`recommended/image_id`, ...), `<os>/<image name>` for
 * every image, and the same under `<os>/arm64/` for Graviton images.
 */
export function publicParameters(images: RegionalImage[]): PublicParameter[] {
  const out: PublicParameter[] = [];
  const ecs = images.filter((i) => i.ownerId === ECS_AMI_OWNER && i.agentVersion);
  for (const os of ["al2023", "al2"] as const) {
    for (const arch of ["x86_64", "arm64"] as const) {
      const base = `/aws/service/ecs/optimized-ami/${SSM_OS_PATH[os]}${arch === "arm64" ? "/arm64" : ""}`;
      const doc = (i: RegionalImage) => ({
        ecs_agent_version: i.agentVersion!,
        ecs_runtime_version: i.runtime ?? "Docker version 25.0.8",
        image_id: i.id,
        image_name: i.name,
        os: SSM_OS_NAME[os],
        schema_version: 1,
        source_image_name: i.name.replace("-ecs-hvm-", "-minimal-"),
      });
      for (const i of ecs.filter((x) => x.os === os && x.arch === arch)) {
        out.push({
          name: `${base}/${i.name}`,
          value: JSON.stringify(doc(i)),
          lastModified: new Date(i.creationDate),
          version: 1,
        });
      }
      const rec = recommendedImage(images, os, arch);
      if (!rec) continue;
      const d = doc(rec);
      const modified = new Date(rec.creationDate);
      const version = ecs.filter((x) => x.os === os && x.arch === arch).length;
      out.push({ name: `${base}/recommended`, value: JSON.stringify(d), lastModified: modified, version });
      for (const [k, v] of Object.entries(d))
        out.push({ name: `${base}/recommended/${k}`, value: String(v), lastModified: modified, version });
    }
  }
  return out;
}
