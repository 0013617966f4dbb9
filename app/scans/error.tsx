"use client";

import { SectionError } from "@/components/states/section-error.tsx";

export default function ScansError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return <SectionError title="Scans" error={error} reset={reset} />;
}
