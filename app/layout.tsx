import "@cloudscape-design/global-styles/index.css";
import "./cloudscape.css";
import type { Metadata } from "next";
import type { ReactNode } from "react";
import { LocalModeBanner } from "@/components/actions/local-mode-banner.tsx";
import { AppShell } from "@/components/app-shell";
import { I18n } from "@/components/shell/i18n.tsx";

export const metadata: Metadata = {
  title: { default: "Fleet Doctor", template: "%s · Fleet Doctor" },
  description: "Find and fix EC2 container instances whose ECS agent failed to start.",
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <I18n>
          <LocalModeBanner />
          <AppShell>{children}</AppShell>
        </I18n>
      </body>
    </html>
  );
}
