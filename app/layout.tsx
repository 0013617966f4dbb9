import "@cloudscape-design/global-styles/index.css";
import "./cloudscape.css";
import type { Metadata } from "next";
import { headers } from "next/headers";
import type { ReactNode } from "react";
import { LocalModeBanner } from "@/components/actions/local-mode-banner.tsx";
import { AppShell } from "@/components/app-shell";
import { MODE_SCRIPT } from "@/components/shell/color-mode.ts";
import type { FleetOption } from "@/components/shell/fleet-picker.ts";
import { I18n } from "@/components/shell/i18n.tsx";
import { config } from "@/lib/config.ts";
import { loadFleets } from "./_data/fleets.ts";

export const metadata: Metadata = {
  title: { default: "Fleet Doctor", template: "%s · Fleet Doctor" },
  description: "Find and fix EC2 container instances whose ECS agent failed to start.",
};

/** The header's fleets: a failure to list them leaves the picker empty, never the page unrendered. */
async function headerFleets(): Promise<FleetOption[]> {
  try {
    return (await loadFleets()).map(({ id, account, region, name, source, error }) => ({
      id,
      account,
      region,
      source,
      ...(name ? { name } : {}),
      ...(error ? { error } : {}),
    }));
  } catch (e) {
    console.error("[fleet-doctor] could not list the fleets for the header:", e);
    return [];
  }
}

export default async function RootLayout({ children }: { children: ReactNode }) {
  const [fleets, nonce] = await Promise.all([headerFleets(), headers().then((h) => h.get("x-nonce") ?? undefined)]);
  return (
    <html lang="en">
      {/* The saved colour mode is applied before the first paint (no light flash); React leaves the class alone. */}
      <body suppressHydrationWarning>
        {/* biome-ignore lint/security/noDangerouslySetInnerHtml: a constant script, no request data */}
        <script nonce={nonce} dangerouslySetInnerHTML={{ __html: MODE_SCRIPT }} />
        <I18n>
          <LocalModeBanner localMode={config().auth === "none"} />
          <AppShell fleets={fleets}>{children}</AppShell>
        </I18n>
      </body>
    </html>
  );
}
