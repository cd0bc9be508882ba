import { lookup } from "node:dns/promises";
import ipaddr from "ipaddr.js";
import { DEFAULT_PORTS, parseHost, parseIp, urlHost } from "./address";

/** A CIDR block with an optional inclusive port range (both null: any port). */
export type NetworkRule = { cidr: string; portFrom: number | null; portTo: number | null };
/** What one organisation may reach: its own networks, and the installation's reserved-range exceptions. */
export type NetworkPolicy = { networks: NetworkRule[]; exceptions: NetworkRule[] };

export type RefusalReason = "invalid" | "not_allowed" | "reserved" | "unresolvable";
export type AddressVerdict = { ok: true; address: string } | { ok: false; reason: RefusalReason; detail: string };
export type CameraAddressVerdict =
  | { ok: true; url: string; address: string }
  | { ok: false; reason: RefusalReason; detail: string };

/** Never a camera, whatever an organisation lists, unless the installation makes an exception. */
export const RESERVED_RANGES: { cidr: string; label: string }[] = [
  { cidr: "0.0.0.0/8", label: "unspecified" },
  { cidr: "127.0.0.0/8", label: "loopback" },
  { cidr: "169.254.0.0/16", label: "link-local, cloud metadata" },
  { cidr: "100.100.100.200/32", label: "cloud metadata" },
  { cidr: "224.0.0.0/4", label: "multicast" },
  { cidr: "240.0.0.0/4", label: "reserved, broadcast" },
  { cidr: "::/128", label: "unspecified" },
  { cidr: "::1/128", label: "loopback" },
  // Deprecated IPv4-compatible form (::a.b.c.d): never a camera, and some stacks route it to IPv4.
  { cidr: "::/96", label: "IPv4-compatible" },
  // Tunnels that carry an IPv4 address inside (6to4, Teredo): refused rather than unwrapped.
  { cidr: "2002::/16", label: "6to4 tunnel" },
  { cidr: "2001::/32", label: "Teredo tunnel" },
  { cidr: "fe80::/10", label: "link-local" },
  { cidr: "fd00:ec2::254/128", label: "cloud metadata" },
  { cidr: "ff00::/8", label: "multicast" },
];
const RESERVED = RESERVED_RANGES.map(({ cidr, label }) => ({ range: ipaddr.parseCIDR(cidr), label }));

type Address = ipaddr.IPv4 | ipaddr.IPv6;

function inRange(address: Address, range: [Address, number]): boolean {
  return address.kind() === range[0].kind() && address.match(range);
}

/** Parses a CIDR (a bare address is a /32 or /128); null if it is not one. */
export function parseCidr(cidr: string): [Address, number] | null {
  const text = cidr.trim();
  try {
    if (text.includes("/")) return ipaddr.parseCIDR(text);
    const address = ipaddr.parse(text);
    return [address, address.kind() === "ipv4" ? 32 : 128];
  } catch {
    return null;
  }
}

/** The canonical form of a CIDR (network address, IPv4-mapped written as IPv4); null if none. */
export function canonicalCidr(text: string): string | null {
  const range = parseCidr(text);
  if (!range) return null;
  let [address, prefix] = range;
  if (address.kind() === "ipv6" && (address as ipaddr.IPv6).isIPv4MappedAddress() && prefix >= 96) {
    address = (address as ipaddr.IPv6).toIPv4Address();
    prefix -= 96;
  }
  const network =
    address.kind() === "ipv4"
      ? ipaddr.IPv4.networkAddressFromCIDR(`${address.toString()}/${prefix}`)
      : ipaddr.IPv6.networkAddressFromCIDR(`${address.toString()}/${prefix}`);
  return `${network.toString()}/${prefix}`;
}

function covers(rule: NetworkRule, address: Address, port: number): boolean {
  const range = parseCidr(rule.cidr);
  if (!range || !inRange(address, range)) return false;
  return rule.portFrom === null || rule.portTo === null || (port >= rule.portFrom && port <= rule.portTo);
}

/** Which reserved range holds the address, if any. */
export function reservedLabel(address: Address): string | null {
  return RESERVED.find(({ range }) => inRange(address, range))?.label ?? null;
}

/** The reserved ranges a listed CIDR overlaps: they stay refused there unless the installation allows them. */
export function reservedOverlaps(cidr: string): string[] {
  const range = parseCidr(cidr);
  if (!range) return [];
  const overlapping = RESERVED.filter(({ range: reserved }) => {
    const [wide, narrow] = reserved[1] <= range[1] ? [reserved, range] : [range, reserved];
    return inRange(narrow[0], wide);
  });
  return [...new Set(overlapping.map(({ label }) => label))];
}

/**
 * Checks one IP literal (any numeric form) and port against a policy: it must be inside one of
 * the organisation's networks, and outside the reserved ranges unless an installation exception
 * covers it. Pure; names must be resolved first.
 */
export function checkAddress(policy: NetworkPolicy, host: string, port: number): AddressVerdict {
  const address = parseIp(host);
  if (!address) return { ok: false, reason: "invalid", detail: `"${host}" is not an IP address.` };
  const shown = `${urlHost(address)}:${port}`;
  const reserved = reservedLabel(address);
  if (reserved && !policy.exceptions.some((rule) => covers(rule, address, port))) {
    return {
      ok: false,
      reason: "reserved",
      detail: `${shown} is a reserved address (${reserved}); cameras may not use it on this installation.`,
    };
  }
  if (!policy.networks.some((rule) => covers(rule, address, port))) {
    return { ok: false, reason: "not_allowed", detail: `${shown} is not in your organisation's camera networks.` };
  }
  return { ok: true, address: address.toString() };
}

export type Resolver = (name: string) => Promise<string[]>;

/** getaddrinfo, as ffmpeg would resolve the name, with a time limit. */
export const systemResolver: Resolver = async (name) => {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("DNS lookup timed out")), 5000);
  });
  try {
    const results = await Promise.race([lookup(name, { all: true, verbatim: true }), timeout]);
    return results.map((result) => result.address);
  } finally {
    clearTimeout(timer);
  }
};

/**
 * Checks a camera URL against a policy. A name is resolved and EVERY address it resolves to must
 * pass; the answer's `url` has the host replaced by the checked address, so whoever connects to
 * it cannot be sent elsewhere by a second resolution (DNS rebinding).
 */
export async function checkUrlWithPolicy(
  policy: NetworkPolicy,
  rtspUrl: string,
  resolve: Resolver = systemResolver,
): Promise<CameraAddressVerdict> {
  let url: URL;
  try {
    url = new URL(rtspUrl);
  } catch {
    return { ok: false, reason: "invalid", detail: "The camera URL cannot be read." };
  }
  const defaultPort = DEFAULT_PORTS[url.protocol];
  if (defaultPort === undefined) return { ok: false, reason: "invalid", detail: "Use an rtsp:// or rtsps:// URL." };
  const port = url.port ? Number(url.port) : defaultPort;
  const host = parseHost(url.hostname);
  if (host.kind === "invalid") return { ok: false, reason: "invalid", detail: `${host.detail}.` };
  let candidates: string[];
  if (host.kind === "ip") {
    candidates = [host.address.toString()];
  } else {
    try {
      candidates = await resolve(host.name);
    } catch {
      candidates = [];
    }
    if (candidates.length === 0) {
      return { ok: false, reason: "unresolvable", detail: `The name ${host.name} did not resolve.` };
    }
  }
  let first: string | null = null;
  for (const candidate of candidates) {
    const verdict = checkAddress(policy, candidate, port);
    if (!verdict.ok) {
      if (host.kind === "name") return { ...verdict, detail: `${host.name} resolves to ${verdict.detail}` };
      return verdict;
    }
    first ??= verdict.address;
  }
  const address = parseIp(first as string) as ipaddr.IPv4 | ipaddr.IPv6;
  url.hostname = urlHost(address);
  return { ok: true, url: url.toString(), address: address.toString() };
}
