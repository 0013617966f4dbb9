import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // better-sqlite3 is a native addon: load it from node_modules at run time instead of bundling it.
  serverExternalPackages: ["better-sqlite3"],
  // A separate build folder per checkout or helper (NEXT_DIST_DIR) lets builds run side by side.
  distDir: process.env.NEXT_DIST_DIR || ".next",
  poweredByHeader: false,
  // Cloudscape's CSS as one stylesheet rather than one per component (48 on /instances): build/cloudscape-css.cjs.
  turbopack: {
    rules: {
      "*.scoped.css": {
        condition: { path: /[\\/]@cloudscape-design[\\/]components[\\/]/ },
        loaders: [{ loader: "./build/cloudscape-css.cjs", options: { mode: "omit" } }],
        as: "*.js",
      },
      "cloudscape.css": {
        condition: { path: /(^|[\\/])app[\\/]cloudscape\.css$/ },
        loaders: [{ loader: "./build/cloudscape-css.cjs", options: { mode: "combine" } }],
        as: "*.css",
      },
    },
  },
  reactStrictMode: true,
  // Security headers on every response (the CSP, with its per-request nonce, is set by proxy.ts).
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "X-Frame-Options", value: "DENY" },
          { key: "Referrer-Policy", value: "same-origin" },
          { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
          { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=(), payment=()" },
        ],
      },
    ];
  },
};

export default nextConfig;
