import ipaddr from "ipaddr.js";

// Parsing a URL host the way a socket would read it. `new URL()` leaves the host of an rtsp:
// URL as written (rtsp is not a WHATWG "special" scheme), while getaddrinfo/inet_aton accept
// 0x7f000001, 0177.0.0.1, 2130706433 and 127.1 as 127.0.0.1: normalise before any check.

export type ParsedHost =
  | { kind: "ip"; address: ipaddr.IPv4 | ipaddr.IPv6 }
  | { kind: "name"; name: string }
  | { kind: "invalid"; detail: string };

const NUMERIC_PART = /^(0x[0-9a-f]*|[0-9]+)$/i;
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;

/** One inet_aton part: 0x… hex, 0… octal, else decimal; null if not a number in that base. */
function parsePart(part: string): bigint | null {
  if (/^0x/i.test(part)) return /^0x[0-9a-f]*$/i.test(part) ? BigInt(part.length === 2 ? 0 : part) : null;
  if (part.length > 1 && part.startsWith("0")) return /^[0-7]+$/.test(part) ? BigInt(`0o${part.slice(1)}`) : null;
  return /^[0-9]+$/.test(part) ? BigInt(part) : null;
}

/** inet_aton: 1 to 4 parts, the last filling the remaining bytes (127.1 = 127.0.0.1). */
function parseInetAton(host: string): ipaddr.IPv4 | null {
  const parts = host.split(".");
  if (parts.length > 1 && parts.at(-1) === "") parts.pop();
  if (parts.length < 1 || parts.length > 4 || parts.some((part) => part === "")) return null;
  const numbers = parts.map(parsePart);
  if (numbers.some((n) => n === null)) return null;
  const values = numbers as bigint[];
  const last = values.pop() as bigint;
  if (values.some((n) => n > 255n)) return null;
  if (last >= 256n ** BigInt(4 - values.length)) return null;
  let value = last;
  for (const [index, n] of values.entries()) value += n << BigInt(8 * (3 - index));
  const bytes = [24n, 16n, 8n, 0n].map((shift) => Number((value >> shift) & 255n));
  return new ipaddr.IPv4(bytes);
}

/**
 * Reads a URL hostname: an IP literal (any numeric form, bracketed IPv6, IPv4-mapped IPv6 as
 * IPv4), a DNS name, or invalid. Anything that looks numeric but is no address is invalid,
 * never a name, so a resolver cannot read it in its own way.
 */
export function parseHost(hostname: string): ParsedHost {
  const host = hostname.trim();
  if (host.startsWith("[") || host.includes(":")) {
    const inner = host.replace(/^\[(.*)\]$/, "$1");
    if (inner.includes("%")) return { kind: "invalid", detail: "IPv6 zone identifiers are not allowed" };
    if (!ipaddr.IPv6.isValid(inner)) return { kind: "invalid", detail: `"${hostname}" is not a valid IPv6 address` };
    return { kind: "ip", address: unmap(ipaddr.IPv6.parse(inner)) };
  }
  const labels = host.replace(/\.$/, "").split(".");
  if (NUMERIC_PART.test(labels.at(-1) ?? "")) {
    const address = parseInetAton(host);
    if (!address)
      return { kind: "invalid", detail: `"${hostname}" looks like a number but is not a valid IPv4 address` };
    return { kind: "ip", address };
  }
  if (host.length > 253 || !labels.every((label) => LABEL.test(label))) {
    return { kind: "invalid", detail: `"${hostname}" is not a valid host name` };
  }
  return { kind: "name", name: labels.join(".").toLowerCase() };
}

/** IPv4 embedded in IPv6 forms that reach an IPv4 host: mapped (::ffff:a.b.c.d) and NAT64 (64:ff9b::/96). */
export function unmap(address: ipaddr.IPv4 | ipaddr.IPv6): ipaddr.IPv4 | ipaddr.IPv6 {
  if (address.kind() !== "ipv6") return address;
  const v6 = address as ipaddr.IPv6;
  if (v6.isIPv4MappedAddress()) return v6.toIPv4Address();
  if (v6.match(ipaddr.IPv6.parse("64:ff9b::"), 96)) {
    const p = v6.parts;
    return new ipaddr.IPv4([(p[6] ?? 0) >> 8, (p[6] ?? 0) & 255, (p[7] ?? 0) >> 8, (p[7] ?? 0) & 255]);
  }
  return v6;
}

/** Parses an IP literal (as a resolver returns it), unwrapping IPv4-mapped forms; null if none. */
export function parseIp(text: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  const parsed = parseHost(text);
  return parsed.kind === "ip" ? parsed.address : null;
}

/** The address as a URL host: IPv6 in brackets. */
export function urlHost(address: ipaddr.IPv4 | ipaddr.IPv6): string {
  return address.kind() === "ipv6" ? `[${address.toString()}]` : address.toString();
}

export const DEFAULT_PORTS: Record<string, number> = { "rtsp:": 554, "rtsps:": 322 };
