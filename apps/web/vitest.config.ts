import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { alias: { "~": fileURLToPath(new URL("./src", import.meta.url)) } },
  // Unit and integration tests run with the development defaults (see packages/env).
  // Generous limits: these tests start real servers and Better Auth sessions, and CI runs two
  // workspaces' suites side by side on 2 cores (a 3-4 s test under load passed the 5 s default
  // only just, and one CI run failed here).
  test: { env: { APP_ENV: "test" }, testTimeout: 30_000, hookTimeout: 60_000 },
});
