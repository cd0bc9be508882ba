import { defineConfig } from "vitest/config";

export default defineConfig({
  // Unit and integration tests run with the development defaults (see packages/env).
  test: {
    env: { APP_ENV: "test" },
    // Test files share one module graph per worker (each still makes its own database and services):
    // without it every file imported its modules afresh, most of the time these suites took (api: 142 s to 64 s).
    isolate: false,
  },
});
