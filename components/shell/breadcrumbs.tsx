"use client";

import BreadcrumbGroup from "@cloudscape-design/components/breadcrumb-group";
import { useRouter } from "next/navigation";

/** Breadcrumbs that navigate client-side. */
export function Breadcrumbs({ items }: { items: { text: string; href: string }[] }) {
  const router = useRouter();
  return (
    <BreadcrumbGroup
      ariaLabel="Breadcrumbs"
      items={items}
      onFollow={(e) => {
        e.preventDefault();
        router.push(e.detail.href);
      }}
    />
  );
}
