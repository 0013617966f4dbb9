"use client";

import AppLayout from "@cloudscape-design/components/app-layout";
import SideNavigation, { type SideNavigationProps } from "@cloudscape-design/components/side-navigation";
import SplitPanel from "@cloudscape-design/components/split-panel";
import TopNavigation from "@cloudscape-design/components/top-navigation";
import { applyMode, Mode } from "@cloudscape-design/global-styles";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { type ReactNode, Suspense, useEffect, useState } from "react";
import { FLEET_PARAM, selectedFleet, withFleet } from "@/lib/fleets/fleet-ids.ts";
import { DARK_CLASS, MODE_KEY } from "./shell/color-mode.ts";
import { type FleetOption, fleetPicker, pickHref } from "./shell/fleet-picker.ts";
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

type Follow = (event: CustomEvent<{ href?: string; external?: boolean }>) => void;

/** The header: the fleet picker (which account and region these numbers are) and the colour mode. */
function TopBar({
  fleets,
  picked,
  search,
  follow,
  dark,
  onDark,
}: {
  fleets: FleetOption[];
  picked: string | undefined;
  search: string;
  follow: Follow;
  dark: boolean;
  onDark: () => void;
}) {
  const pathname = usePathname();
  const picker = fleetPicker(fleets, picked, (fleet) => pickHref(pathname, search, activeHref(pathname), fleet));
  return (
    <TopNavigation
      identity={{ href: withFleet("/", picked), title: "Fleet Doctor", onFollow: follow }}
      utilities={[
        {
          type: "menu-dropdown",
          text: picker.text,
          description: picker.ariaLabel.endsWith("the fleets in view") ? "The fleets in view" : "The fleet in view",
          // Always on screen: which account and region the numbers are is not for an overflow menu.
          disableUtilityCollapse: true,
          ariaLabel: picker.ariaLabel,
          items: picker.items,
          onItemFollow: follow,
        },
        {
          type: "button",
          text: dark ? "Light mode" : "Dark mode",
          ariaLabel: dark ? "Switch to light mode" : "Switch to dark mode",
          onClick: onDark,
        },
      ]}
    />
  );
}

function Nav({ picked, follow }: { picked: string | undefined; follow: Follow }) {
  const pathname = usePathname();
  return (
    <SideNavigation
      header={{ href: withFleet("/", picked), text: "Fleet Doctor" }}
      activeHref={withFleet(activeHref(pathname), picked)}
      // Links between pages keep the fleet picked in the header.
      items={NAV_ITEMS.map((i) => (i.type === "link" ? { ...i, href: withFleet(i.href, picked) } : i))}
      onFollow={follow}
    />
  );
}

/** The fleet picked in the URL (`?fleet=`; undefined: every fleet) and the query string it came with. */
function usePicked(): { picked: string | undefined; search: string } {
  const params = useSearchParams();
  return { picked: selectedFleet(params.get(FLEET_PARAM)), search: params.toString() };
}

function UrlTopBar(props: Omit<Parameters<typeof TopBar>[0], "picked" | "search">) {
  return <TopBar {...props} {...usePicked()} />;
}

function UrlNav({ follow }: { follow: Follow }) {
  return <Nav follow={follow} picked={usePicked().picked} />;
}

export function AppShell({ children, fleets }: { children: ReactNode; fleets: FleetOption[] }) {
  const router = useRouter();
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

  const follow: Follow = (event) => {
    const href = event.detail.href;
    if (!href || event.detail.external) return;
    event.preventDefault();
    router.push(href);
  };

  const splitOpen = hydrated && slot !== null;
  const topBar = {
    fleets,
    follow,
    dark,
    onDark: () => {
      const next = !dark;
      window.localStorage.setItem(MODE_KEY, next ? "dark" : "light");
      applyMode(next ? Mode.Dark : Mode.Light);
      setDark(next);
    },
  };

  return (
    <SplitPanelSlotContext.Provider value={setSlot}>
      <div id="top-nav" style={{ position: "sticky", top: 0, zIndex: 1002 }}>
        {/* The URL's fleet is read in the browser's render too; a page rendered ahead of time shows every fleet. */}
        <Suspense fallback={<TopBar {...topBar} picked={undefined} search="" />}>
          <UrlTopBar {...topBar} />
        </Suspense>
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
          <Suspense fallback={<Nav follow={follow} picked={undefined} />}>
            <UrlNav follow={follow} />
          </Suspense>
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
