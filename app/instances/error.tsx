"use client";

import { SectionError } from "@/components/states/section-error.tsx";

export default function InstancesError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return <SectionError title="Instances" error={error} reset={reset} />;
}
