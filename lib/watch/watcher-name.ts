/** The watcher's leader lease and stored state are both under this name. */
export const WATCHER = "watcher";
