import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { createTestDatabase } from "@consentry/db/testing";

// Runs the Playwright suite against its own fresh database and a free port, then cleans up.
// The web app must be built first (`npm run build -w @consentry/web`; `npm test` does it).

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const database = await createTestDatabase();
let exitCode = 1;
try {
  const port = await freePort();
  exitCode = await new Promise<number>((resolve) => {
    const child = spawn("npx", ["playwright", "test", ...process.argv.slice(2)], {
      stdio: "inherit",
      env: { ...process.env, E2E_DATABASE_URL: database.url, E2E_BASE_URL: `http://127.0.0.1:${port}` },
    });
    child.on("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
} finally {
  await database.drop();
}
process.exit(exitCode);
