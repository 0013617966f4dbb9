import { notFound } from "next/navigation";
import { ScanDetail } from "@/components/scans/scan-detail.tsx";
import { parseId } from "@/lib/http/ids.ts";
import { loadScanDetail } from "../../_data/scans.ts";

export const dynamic = "force-dynamic";
export const metadata = { title: "Scan" };

export default async function ScanPage({ params }: { params: Promise<{ id: string }> }) {
  const id = parseId("scan", (await params).id);
  // Decided before anything streams (no loading.tsx above this page), so the answer is a real 404.
  const data = id ? await loadScanDetail(id) : undefined;
  if (!data) notFound();
  return <ScanDetail data={data} />;
}
