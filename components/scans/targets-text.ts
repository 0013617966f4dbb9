import { cap } from "@/components/text/cap.ts";
import type { Targets } from "@/lib/scan/types.ts";

export function describeTargets(t: Targets): string {
  switch (t.kind) {
    case "all":
      return "all instances";
    case "tag":
      return cap(`tag ${t.key}=${t.value}`, 200);
    case "group":
      return cap(`group ${t.name}`, 200);
    case "ids":
      return t.ids.length === 1 ? cap(t.ids[0], 64) : `${t.ids.length} instances`;
  }
}
