import { WatcherPanel } from "@/components/watch/watcher-panel.tsx";

export const metadata = { title: "Watch" };
export const dynamic = "force-dynamic";

/** The watcher and what watches over the fleet beside it; each panel loads and refreshes itself. */
export default function WatchPage() {
  return (
    <div style={{ display: "grid", gap: 20 }}>
      <WatcherPanel />
    </div>
  );
}
