import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { alias: { "~": fileURLToPath(new URL("./src", import.meta.url)) } },
  // Unit and integration tests run with the development defaults (see packages/env).
  test: { env: { APP_ENV: "test" } },
});
