import { fileURLToPath } from "node:url";
import type { NextConfig } from "next";
import createNextIntlPlugin from "next-intl/plugin";

const withNextIntl = createNextIntlPlugin("./src/i18n/request.ts");
const monorepoRoot = fileURLToPath(new URL("../..", import.meta.url));

const config: NextConfig = {
  // Internal packages ship TypeScript source; Next compiles them (no per-package build).
  transpilePackages: [
    "@consentry/api",
    "@consentry/auth",
    "@consentry/crypto",
    "@consentry/db",
    "@consentry/env",
    "@consentry/mail",
    "@consentry/network",
    "@consentry/queue",
    "@consentry/storage",
  ],
  // chinese-days ships ESM in .js files of a CommonJS package, which Turbopack refuses to bundle.
  serverExternalPackages: [
    "@bull-board/api",
    "@bull-board/hono",
    "@bull-board/ui",
    "@hono/node-server",
    "bullmq",
    "chinese-days",
    "ejs",
    "hono",
    "ioredis",
    "mailparser",
    "nodemailer",
    "pdfkit",
    "pino",
    "postgres",
    "prom-client",
    "sharp",
    "smtp-server",
  ],
  turbopack: { root: monorepoRoot },
  outputFileTracingRoot: monorepoRoot,
  poweredByHeader: false,
  // Types are checked by `npm run typecheck` (`tsc --noEmit` here, part of `npm test`), against the
  // same tsconfig and the route types this build writes; checking them again in every build doubled it.
  typescript: { ignoreBuildErrors: true },
  experimental: {
    // Next copies a request body for the proxy (src/proxy.ts) and silently cuts it at this size.
    // server.ts refuses bodies over its own limits (uploads: 10 MB + form framing) before Next
    // reads them, so this only has to stay above those.
    proxyClientMaxBodySize: "11mb",
  },
};

export default withNextIntl(config);
