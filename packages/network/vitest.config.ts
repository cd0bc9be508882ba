import { defineConfig } from "vitest/config";

export default defineConfig({
  // Unit and integration tests run with the development defaults (see packages/env).
  test: { env: { APP_ENV: "test" } },
});
