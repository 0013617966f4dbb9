import { notFound } from "next/navigation";
import { ScanDetail } from "@/components/scans/scan-detail.tsx";
import { loadScanDetail } from "../../_data/scans.ts";

export const dynamic = "force-dynamic";
export const metadata = { title: "Scan" };

export default async function ScanPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const data = await loadScanDetail(decodeURIComponent(id));
  if (!data) notFound();
  return <ScanDetail data={data} />;
}
