import { config } from "../config.ts";
import { getStore } from "../store/index.ts";
import { createAlertSink, type SettlingAlertSink } from "./create-alert-sink.ts";

// On globalThis, like the store (lib/store/index.ts): every bundle of the Next.js server shares one sink, so
// `settled()` sees every delivery of the process. No "server-only" here: the CLI's `watch` reaches it too.
const KEY = Symbol.for("fleet-doctor.alert-sink");
type Holder = { [KEY]?: SettlingAlertSink };

/** The process's alert sink: the configured webhooks (FLEET_DOCTOR_WEBHOOKS) over the process's store. */
export function alertSink(): SettlingAlertSink {
  const g = globalThis as Holder;
  g[KEY] ??= createAlertSink({ store: getStore(), webhooks: config().webhooks });
  return g[KEY];
}
