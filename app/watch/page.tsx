import { AutopilotPanel } from "@/components/watch/autopilot-panel.tsx";
import { WatcherPanel } from "@/components/watch/watcher-panel.tsx";

export const metadata = { title: "Watch" };
export const dynamic = "force-dynamic";

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

/**
 * The watcher, and the autopilot that acts on what it finds; each panel loads and refreshes itself. Autopilot is
 * the selected fleet's (`?fleet=`, the header's fleet picker): its policies are per fleet.
 */
export default async function WatchPage({ searchParams }: Props) {
  const fleet = (await searchParams).fleet;
  return (
    <div style={{ display: "grid", gap: 20 }}>
      <WatcherPanel />
      <AutopilotPanel {...(typeof fleet === "string" && fleet && fleet !== "all" ? { fleet } : {})} />
    </div>
  );
}
