import { createServer } from "node:http";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { stampClientAddress, trustedProxies } from "@consentry/auth/client-address";
import { env } from "@consentry/env";
import next from "next";

// `next start` keeps a client-sent X-Forwarded-For (it only fills the header in when absent), so
// the app cannot tell a forged address from a real one. This server computes the client address
// from the socket and TRUSTED_PROXIES and hands it to the app in a private header (see
// @consentry/auth/client-address); everything else is Next's own request handler.
// Usage as `next start`: tsx server.ts [-p port] [-H hostname] [--dev]

const { values } = parseArgs({
  options: {
    port: { type: "string", short: "p" },
    hostname: { type: "string", short: "H" },
    dev: { type: "boolean", default: false },
  },
});
// biome-ignore lint/style/noProcessEnv: PORT is `next start`'s own fallback, kept for compatibility.
const port = Number(values.port ?? process.env.PORT ?? 3000);
const hostname = values.hostname ?? "0.0.0.0";
const trust = trustedProxies(env.TRUSTED_PROXIES);

const dir = dirname(fileURLToPath(import.meta.url));
process.chdir(dir); // as under `next start`: the app reads messages/ relative to its directory
const app = next({ dev: values.dev, dir, hostname, port });
await app.prepare();
const handle = app.getRequestHandler();
const upgrade = app.getUpgradeHandler();

const server = createServer((req, res) => {
  if (!stampClientAddress(req, trust)) {
    res.writeHead(400, { "content-type": "text/plain" }).end("The client address could not be determined.");
    return;
  }
  void handle(req, res);
});
server.on("upgrade", (req, socket, head) => {
  if (!stampClientAddress(req, trust)) return socket.destroy();
  void upgrade(req, socket, head);
});
server.listen(port, hostname, () => console.log(`consentry web listening on http://${hostname}:${port}`));

// On SIGTERM/SIGINT stop accepting, let requests in flight finish (at most 10 s), then exit.
for (const signal of ["SIGTERM", "SIGINT"] as const)
  process.once(signal, () => {
    server.close(() => process.exit(0));
    server.closeIdleConnections();
    setTimeout(() => process.exit(0), 10_000).unref();
  });
