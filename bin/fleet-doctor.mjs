#!/usr/bin/env node
// The installed entry point: load TypeScript through tsx in this process, then hand over to the CLI.
import { register as registerHooks } from "node:module";
import { register } from "tsx/esm/api";

// The CLI is a server process (it holds the credentials and the store): modules marked `server-only` (lib/fleets)
// load here as they do in the server, through the package's own "react-server" export.
const SERVER_ONLY = `export async function resolve(s, c, next) {
  return next(s, s === "server-only" ? { ...c, conditions: [...c.conditions, "react-server"] } : c);
}`;
registerHooks(`data:text/javascript,${encodeURIComponent(SERVER_ONLY)}`);

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
register();
const { main } = await import("./cli.ts");
process.exitCode = await main(process.argv.slice(2));
