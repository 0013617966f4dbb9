/**
 * Server-only entry points of the scan engine for app/ code (server components, server actions): importing this
 * file from a client component fails the build, so clients, the database and scan control stay on the server.
 * Route handlers under app/api import the lib modules directly (they never reach a browser bundle, and their tests
 * run outside Next.js where `server-only` throws).
 */
import "server-only";

export { defaultScanContext } from "../scan/context.ts";
export { cancelScan, scanDone, startScan } from "../scan/start-scan.ts";
export { getStore } from "../store/index.ts";
