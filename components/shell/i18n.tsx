"use client";

import { I18nProvider } from "@cloudscape-design/components/i18n";
import enMessages from "@cloudscape-design/components/i18n/messages/all.en";
import type { ReactNode } from "react";

const MESSAGES = [enMessages];

/**
 * English defaults for every component's screen-reader and control strings (filter, pagination, preferences...).
 * Rendered by the root layout around the shell, never inside it: the provider rebuilds its formatter (and changes
 * the context every Cloudscape component reads) each time it renders, so it must not re-render with the shell's
 * state (split panel, mode).
 */
export function I18n({ children }: { children: ReactNode }) {
  return (
    <I18nProvider locale="en" messages={MESSAGES}>
      {children}
    </I18nProvider>
  );
}
