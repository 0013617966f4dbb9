/** The watcher's leader lease and stored state are both under this name. */
export const WATCHER = "watcher";

/** With several fleets, each fleet's state is stored under its own name (the lease stays the one `watcher`). */
export const fleetWatcherName = (fleet: string) => `${WATCHER}:${fleet}`;
