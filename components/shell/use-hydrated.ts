import { useSyncExternalStore } from "react";

const never = () => () => {};

/**
 * False in the server's HTML and during hydration, true once the page's scripts run. Pages paint before their
 * scripts are ready; a control whose click needs a script stays disabled until then instead of ignoring the click.
 */
export function useHydrated(): boolean {
  return useSyncExternalStore(
    never,
    () => true,
    () => false,
  );
}
