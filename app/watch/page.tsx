import { AutopilotPanel } from "@/components/watch/autopilot-panel.tsx";

export const metadata = { title: "Watch" };
export const dynamic = "force-dynamic";

export default function WatchPage() {
  return <AutopilotPanel />;
}
