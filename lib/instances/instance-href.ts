/**
 * The one place an instance page's URL is built: `/instances/<id>`, with `?fleet=<account>/<region>` when the fleet
 * is known (an instance id is only unique inside one fleet; the page asks which when the id is in several).
 */
export function instanceHref(instanceId: string, fleet?: string): string {
  const path = `/instances/${encodeURIComponent(instanceId)}`;
  return fleet ? `${path}?fleet=${encodeURIComponent(fleet)}` : path;
}
