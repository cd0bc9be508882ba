import { defineConfig } from "vitest/config";

export default defineConfig({
  // Unit and integration tests run with the development defaults (see packages/env).
  test: {
    env: { APP_ENV: "test" },
    // Test files share one module graph per worker, as in packages/api (each still makes its own database).
    isolate: false,
  },
});
