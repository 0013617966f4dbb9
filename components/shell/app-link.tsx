"use client";

import Link, { type LinkProps } from "@cloudscape-design/components/link";
import { useRouter } from "next/navigation";

/** A Cloudscape link that navigates inside the app without a full page load (modifier-clicks still open tabs). */
export function AppLink(props: LinkProps & { href: string }) {
  const router = useRouter();
  return (
    <Link
      {...props}
      onFollow={(e) => {
        if (props.external) return;
        e.preventDefault();
        router.push(props.href);
      }}
    />
  );
}
