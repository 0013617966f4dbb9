#!/usr/bin/env node
// The installed entry point: load TypeScript through tsx in this process, then hand over to the CLI.
import { register } from "tsx/esm/api";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
register();
const { main } = await import("./cli.ts");
process.exitCode = await main(process.argv.slice(2));
