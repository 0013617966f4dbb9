"use client";

import { SectionError } from "@/components/states/section-error.tsx";

export default function FleetError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return <SectionError title="Fleet" error={error} reset={reset} />;
}
