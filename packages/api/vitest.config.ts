import { defineConfig } from "vitest/config";

export default defineConfig({
  // Unit and integration tests run with the development defaults (see packages/env).
  test: {
    env: { APP_ENV: "test" },
    // Test files share one module graph per worker (each still makes its own database and services):
    // without it every file imported the router afresh, most of this suite's time (142 s to 64 s here).
    isolate: false,
  },
});
