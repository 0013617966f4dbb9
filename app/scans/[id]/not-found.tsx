import { NotFoundState } from "@/components/states/not-found-state.tsx";

export default function ScanNotFound() {
  return (
    <NotFoundState
      title="Scan not found"
      message="There is no scan with this id."
      backHref="/scans"
      backText="Back to scans"
    />
  );
}
