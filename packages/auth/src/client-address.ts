import type { IncomingMessage } from "node:http";
import proxyAddr from "proxy-addr";

/**
 * The header the web server (apps/web/server.ts) sets to the address it computed, after deleting
 * any copy the client sent. The app reads the client address from this header only.
 */
export const CLIENT_ADDRESS_HEADER = "x-consentry-client-ip";

/** Parses TRUSTED_PROXIES (comma-separated addresses or CIDRs) once; throws on a bad entry. */
export function trustedProxies(list: string): (address: string, hop: number) => boolean {
  const entries = list
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
  return proxyAddr.compile(entries);
}

/**
 * Who is on the other end: the socket's address, or, when the socket belongs to a trusted proxy,
 * the right-most X-Forwarded-For hop that no trusted proxy added. A client-sent X-Forwarded-For is
 * ignored unless a trusted proxy relays it, so rotating that header changes nothing. IPv4-mapped
 * IPv6 addresses (::ffff:203.0.113.7) are reported as IPv4. Null when the socket has no address
 * (it closed): the caller refuses the request rather than share one bucket among all such callers.
 */
export function clientAddress(
  request: Pick<IncomingMessage, "headers" | "socket">,
  trust: (address: string, hop: number) => boolean,
): string | null {
  if (!request.socket.remoteAddress) return null;
  return normaliseAddress(proxyAddr(request as IncomingMessage, trust));
}

function normaliseAddress(address: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  return (mapped?.[1] ?? address).toLowerCase();
}

/**
 * Replaces any client-sent CLIENT_ADDRESS_HEADER with the computed address. False when the
 * address cannot be determined: the server answers 400 instead of passing the request on.
 */
export function stampClientAddress(
  request: Pick<IncomingMessage, "headers" | "socket">,
  trust: (address: string, hop: number) => boolean,
): boolean {
  delete request.headers[CLIENT_ADDRESS_HEADER];
  const address = clientAddress(request, trust);
  if (!address) return false;
  request.headers[CLIENT_ADDRESS_HEADER] = address;
  return true;
}

/** The address the web server computed, or null when the request did not come through it. */
export function clientAddressFrom(headers: Headers): string | null {
  return headers.get(CLIENT_ADDRESS_HEADER)?.trim() || null;
}

/**
 * Wraps an HTTP handler so that a request without the computed address is refused (400) instead
 * of being rate-limited in one bucket shared by every such request.
 */
export function requireClientAddress(handler: (request: Request) => Promise<Response>) {
  return (request: Request) =>
    clientAddressFrom(request.headers)
      ? handler(request)
      : Promise.resolve(
          Response.json(
            { code: "CLIENT_ADDRESS_UNKNOWN", message: "The client address could not be determined." },
            { status: 400 },
          ),
        );
}
