import "@cloudscape-design/global-styles/index.css";
import "./cloudscape.css";
import type { Metadata } from "next";
import { headers } from "next/headers";
import type { ReactNode } from "react";
import { LocalModeBanner } from "@/components/actions/local-mode-banner.tsx";
import { AppShell } from "@/components/app-shell";
import { MODE_SCRIPT } from "@/components/shell/color-mode.ts";
import { I18n } from "@/components/shell/i18n.tsx";
import { fleetInView } from "@/lib/aws/fleet-in-view.ts";
import { config } from "@/lib/config.ts";

export const metadata: Metadata = {
  title: { default: "Fleet Doctor", template: "%s · Fleet Doctor" },
  description: "Find and fix EC2 container instances whose ECS agent failed to start.",
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  const [fleet, nonce] = await Promise.all([fleetInView(), headers().then((h) => h.get("x-nonce") ?? undefined)]);
  return (
    <html lang="en">
      {/* The saved colour mode is applied before the first paint (no light flash); React leaves the class alone. */}
      <body suppressHydrationWarning>
        {/* biome-ignore lint/security/noDangerouslySetInnerHtml: a constant script, no request data */}
        <script nonce={nonce} dangerouslySetInnerHTML={{ __html: MODE_SCRIPT }} />
        <I18n>
          <LocalModeBanner localMode={config().auth === "none"} />
          <AppShell fleet={{ account: fleet.account, region: fleet.region, source: fleet.source }}>{children}</AppShell>
        </I18n>
      </body>
    </html>
  );
}
