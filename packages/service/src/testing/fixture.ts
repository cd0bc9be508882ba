// A service for run-service.test.ts: `tsx fixture.ts <mode>`. It builds a "database" and then a
// "worker" (so the worker closes first) and misbehaves as <mode> says.
import { pino } from "pino";
import { runService, type ServiceLogger } from "../index";

const mode = process.argv[2] ?? "serve";
// A pino logger as the services make it (the assignment checks that pino fits ServiceLogger).
const logger: ServiceLogger = pino(
  {
    base: { service: "fixture" },
    redact: { paths: ["password", "*.password", "*.connection.password"], censor: "[redacted]" },
  },
  pino.destination({ sync: true }),
);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const never = () => new Promise<never>(() => {});
setInterval(() => {}, 60_000); // what a server or a queue connection would do: keep the process up

await runService({
  name: "fixture",
  logger,
  shutdownTimeoutMs: mode === "hang-close" ? 500 : 5_000,
  start: async ({ onClose }) => {
    onClose("database", async () => logger.info({ step: "database" }, "closing"));
    if (mode === "throw-start") {
      throw Object.assign(new Error("redis unreachable"), { connection: { password: "hunter2" } });
    }
    onClose("worker", async () => {
      logger.info({ step: "worker" }, "closing");
      if (mode === "hang-close") await never();
      if (mode === "slow-close") await sleep(10_000);
      if (mode === "throw-close") throw new Error("worker close exploded");
    });
    const ready = sleep(20).then(() => {
      if (mode === "fail-ready") throw new Error("queue not reachable");
    });
    return { ready, describe: { port: 1234 } };
  },
});

if (mode === "reject-later") setTimeout(() => void Promise.reject(new Error("lost the lease")), 50);
if (mode === "throw-later") {
  setTimeout(() => {
    throw new Error("frame decoder blew up");
  }, 50);
}
