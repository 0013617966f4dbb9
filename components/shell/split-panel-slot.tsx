"use client";

import { createContext, type ReactNode, useContext, useEffect } from "react";

/**
 * The split panel belongs to the AppLayout in the root layout, but its content belongs to a page (the instances
 * table). A page hands its panel to the shell through this context; the shell owns open state and size, and
 * opens it only after mount so the server render and hydration agree.
 */
export type SplitPanelSlot = {
  header: string;
  content: ReactNode;
  /** Called when the person closes the panel; the page clears whatever selection opened it. */
  onClose: () => void;
};

export const SplitPanelSlotContext = createContext<(slot: SplitPanelSlot | null) => void>(() => {});

/** Shows `slot` in the shell's split panel while the calling component is mounted (null hides it). */
export function useSplitPanelSlot(slot: SplitPanelSlot | null) {
  const set = useContext(SplitPanelSlotContext);
  useEffect(() => {
    set(slot);
  }, [set, slot]);
  useEffect(() => () => set(null), [set]);
}
