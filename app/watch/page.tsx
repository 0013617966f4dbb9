import { AutopilotPanel } from "@/components/watch/autopilot-panel.tsx";
import { WatcherPanel } from "@/components/watch/watcher-panel.tsx";

export const metadata = { title: "Watch" };
export const dynamic = "force-dynamic";

/** The watcher, and the autopilot that acts on what it finds; each panel loads and refreshes itself. */
export default function WatchPage() {
  return (
    <div style={{ display: "grid", gap: 20 }}>
      <WatcherPanel />
      <AutopilotPanel />
    </div>
  );
}
