import { defineConfig, devices } from "@playwright/test";

// Run through `npm test` or `npm run e2e` (e2e/run.ts), which prepares a private database and port.
const baseURL = process.env.E2E_BASE_URL ?? "http://127.0.0.1:3210";
const port = new URL(baseURL).port;

export default defineConfig({
  testDir: "./tests",
  fullyParallel: true,
  workers: 2,
  retries: process.env.CI ? 1 : 0,
  reporter: [["list"]],
  // The whole product runs beside the browsers on two cores (30 camera publishers, the inference
  // worker's decoders and models, the web app, gateway and ops worker): under that load a page can
  // take 15 s to hydrate, so waits are generous. They bound a hang; they are not speed targets.
  timeout: 180_000,
  expect: { timeout: 20_000 },
  use: {
    baseURL,
    locale: "en-US",
    timezoneId: "Asia/Shanghai",
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
  },
  projects: [
    {
      name: "chromium",
      use: {
        ...devices["Desktop Chrome"],
        // Debian's Chromium; Playwright never downloads a browser here.
        launchOptions: {
          executablePath: "/usr/bin/chromium",
          args: ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        },
      },
    },
  ],
  webServer: {
    command: `npm run start -w @consentry/web -- -p ${port} -H 127.0.0.1`,
    cwd: "..",
    url: `${baseURL}/api/health`,
    timeout: 120_000,
    reuseExistingServer: false,
    stdout: "pipe",
    env: {
      // The application's role (e2e/run.ts), not the owner the tests use.
      DATABASE_URL: process.env.E2E_APP_DATABASE_URL ?? process.env.E2E_DATABASE_URL ?? "",
      REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
      BETTER_AUTH_URL: baseURL,
      APP_ENV: "test",
      QUEUE_PREFIX: process.env.QUEUE_PREFIX ?? "e2e",
      CONSENTRY_GATEWAY_URL: process.env.CONSENTRY_GATEWAY_URL ?? "ws://127.0.0.1:3001",
      CONSENTRY_STORAGE_DIR: process.env.CONSENTRY_STORAGE_DIR ?? "",
      SMTP_URL: process.env.SMTP_URL ?? "",
      CONSENTRY_DEV_MAILBOX_DIR: process.env.CONSENTRY_DEV_MAILBOX_DIR ?? "",
      NEXT_TELEMETRY_DISABLED: "1",
      LOG_LEVEL: "warn",
    },
  },
});
