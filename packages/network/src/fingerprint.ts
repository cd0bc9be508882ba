import { createHash } from "node:crypto";
import { DEFAULT_PORTS, parseHost, urlHost } from "./address";

/**
 * The identity of a camera stream: scheme://host:port/path?query, without credentials, with the
 * host normalised (0x0a000001 is 10.0.0.1) and the default port written out. Plain sha256, not
 * keyed: the masked URL beside it in the same row already shows all of this in clear text.
 */
export function cameraUrlFingerprint(rtspUrl: string): string {
  const url = new URL(rtspUrl);
  const host = parseHost(url.hostname);
  const hostText = host.kind === "ip" ? urlHost(host.address) : host.kind === "name" ? host.name : url.hostname;
  const port = url.port ? Number(url.port) : (DEFAULT_PORTS[url.protocol] ?? 0);
  const identity = `${url.protocol.toLowerCase()}//${hostText.toLowerCase()}:${port}${url.pathname}${url.search}`;
  return createHash("sha256").update(identity).digest("hex");
}
