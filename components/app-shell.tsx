"use client";

import AppLayout from "@cloudscape-design/components/app-layout";
import SideNavigation, { type SideNavigationProps } from "@cloudscape-design/components/side-navigation";
import SplitPanel from "@cloudscape-design/components/split-panel";
import TopNavigation from "@cloudscape-design/components/top-navigation";
import { applyMode, Mode } from "@cloudscape-design/global-styles";
import { usePathname, useRouter } from "next/navigation";
import { type ReactNode, useEffect, useState } from "react";
import { DARK_CLASS, MODE_KEY } from "./shell/color-mode.ts";
import { type SplitPanelSlot, SplitPanelSlotContext } from "./shell/split-panel-slot.tsx";
import { useHydrated } from "./shell/use-hydrated.ts";

const NAV_ITEMS: SideNavigationProps.Item[] = [
  { type: "link", text: "Fleet", href: "/" },
  { type: "link", text: "Instances", href: "/instances" },
  { type: "link", text: "Groups", href: "/groups" },
  { type: "link", text: "Scans", href: "/scans" },
  { type: "link", text: "Activity", href: "/activity" },
  { type: "link", text: "Watch", href: "/watch" },
  { type: "link", text: "Alerts", href: "/alerts" },
];

/** Which side-navigation entry a path belongs to: the longest href that prefixes it. */
function activeHref(pathname: string): string {
  const hrefs = NAV_ITEMS.flatMap((i) => ("href" in i && i.href ? [i.href] : []));
  return (
    hrefs
      .filter((h) => h === pathname || (h !== "/" && pathname.startsWith(`${h}/`)))
      .sort((a, b) => b.length - a.length)[0] ?? "/"
  );
}

/** The fleet in view (lib/server/fleet-in-view.ts), for the header: which account and region these numbers are. */
export type FleetInView = { account: string; region: string; source: "sts" | "endpoint" };

export function AppShell({ children, fleet }: { children: ReactNode; fleet: FleetInView }) {
  const router = useRouter();
  const pathname = usePathname();
  const [dark, setDark] = useState(false);
  const [slot, setSlot] = useState<SplitPanelSlot | null>(null);
  const hydrated = useHydrated();
  const [splitSize, setSplitSize] = useState(320);
  const [splitPrefs, setSplitPrefs] = useState<{ position: "side" | "bottom" }>({ position: "bottom" });

  // The inline script of the layout already applied a saved dark mode before the first paint; the button's label
  // follows it after mount (server and client render the same first frame).
  useEffect(() => {
    setDark(document.body.classList.contains(DARK_CLASS));
    // The instance panel opens on the lower third of the window, so the table above keeps most of its rows.
    setSplitSize(Math.max(240, Math.round(window.innerHeight * 0.36)));
  }, []);

  const follow = (event: CustomEvent<{ href?: string; external?: boolean }>) => {
    const href = event.detail.href;
    if (!href || event.detail.external) return;
    event.preventDefault();
    router.push(href);
  };

  const splitOpen = hydrated && slot !== null;

  return (
    <SplitPanelSlotContext.Provider value={setSlot}>
      <div id="top-nav" style={{ position: "sticky", top: 0, zIndex: 1002 }}>
        <TopNavigation
          identity={{ href: "/", title: "Fleet Doctor", onFollow: follow }}
          utilities={[
            {
              type: "menu-dropdown",
              text: `${fleet.region} · ${fleet.account}`,
              description: "The fleet in view",
              // Always on screen: which account and region the numbers are is not for an overflow menu.
              disableUtilityCollapse: true,
              // The visible text first (an accessible name must contain it), then what it is.
              ariaLabel: `${fleet.region} · ${fleet.account}: the fleet in view (region, account)`,
              items: [
                { id: "account", text: `Account ${fleet.account}`, disabled: true },
                { id: "region", text: `Region ${fleet.region}`, disabled: true },
                {
                  id: "source",
                  text:
                    fleet.source === "sts"
                      ? "Account from STS GetCallerIdentity"
                      : "The endpoint answers no STS: named by its address",
                  disabled: true,
                },
              ],
            },
            {
              type: "button",
              text: dark ? "Light mode" : "Dark mode",
              ariaLabel: dark ? "Switch to light mode" : "Switch to dark mode",
              onClick: () => {
                const next = !dark;
                window.localStorage.setItem(MODE_KEY, next ? "dark" : "light");
                applyMode(next ? Mode.Dark : Mode.Light);
                setDark(next);
              },
            },
          ]}
        />
      </div>
      <AppLayout
        headerSelector="#top-nav"
        toolsHide
        ariaLabels={{
          navigation: "Side navigation",
          navigationClose: "Close side navigation",
          navigationToggle: "Open side navigation",
        }}
        navigation={
          <SideNavigation
            header={{ href: "/", text: "Fleet Doctor" }}
            activeHref={activeHref(pathname)}
            items={NAV_ITEMS}
            onFollow={follow}
          />
        }
        splitPanel={
          slot ? (
            <SplitPanel
              header={slot.header}
              closeBehavior="hide"
              hidePreferencesButton
              i18nStrings={{
                closeButtonAriaLabel: "Close instance details",
                openButtonAriaLabel: "Open instance details",
                resizeHandleAriaLabel: "Resize instance details",
              }}
            >
              {slot.content}
            </SplitPanel>
          ) : undefined
        }
        splitPanelOpen={splitOpen}
        splitPanelSize={splitSize}
        splitPanelPreferences={splitPrefs}
        onSplitPanelPreferencesChange={(e) => setSplitPrefs(e.detail)}
        onSplitPanelResize={(e) => setSplitSize(e.detail.size)}
        onSplitPanelToggle={(e) => {
          if (!e.detail.open) slot?.onClose();
        }}
        content={children}
      />
    </SplitPanelSlotContext.Provider>
  );
}
