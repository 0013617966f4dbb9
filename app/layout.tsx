import "@cloudscape-design/global-styles/index.css";
import "./cloudscape.css";
import type { Metadata } from "next";
import { connection } from "next/server";
import type { ReactNode } from "react";
import { LocalModeBanner } from "@/components/actions/local-mode-banner.tsx";
import { AppShell } from "@/components/app-shell";
import { I18n } from "@/components/shell/i18n.tsx";
import { config } from "@/lib/config.ts";

export const metadata: Metadata = {
  title: { default: "Fleet Doctor", template: "%s · Fleet Doctor" },
  description: "Find and fix EC2 container instances whose ECS agent failed to start.",
};

/** The local-mode banner, when FLEET_DOCTOR_AUTH=none. */
async function LocalModeNotice() {
  // Read at request time, not at build time (and it renders every page per request, so each gets its CSP nonce).
  await connection();
  return <LocalModeBanner localMode={config().auth === "none"} />;
}

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <I18n>
          <LocalModeNotice />
          <AppShell>{children}</AppShell>
        </I18n>
      </body>
    </html>
  );
}
