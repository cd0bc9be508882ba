import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { CLIENT_ADDRESS_HEADER, clientAddress, requireClientAddress, trustedProxies } from "./client-address";

const request = (remoteAddress: string | undefined, forwardedFor?: string) =>
  ({
    headers: forwardedFor === undefined ? {} : { "x-forwarded-for": forwardedFor },
    socket: { remoteAddress },
  }) as unknown as IncomingMessage;

describe("clientAddress", () => {
  const none = trustedProxies("");
  const oneProxy = trustedProxies("10.0.0.2");
  const proxyChain = trustedProxies("10.0.0.2, 192.168.7.0/24");

  it("is the socket address when no proxy header is sent", () => {
    expect(clientAddress(request("203.0.113.7"), none)).toBe("203.0.113.7");
  });

  it("ignores a client-sent X-Forwarded-For when no proxy is trusted", () => {
    expect(clientAddress(request("203.0.113.7", "198.51.100.1"), none)).toBe("203.0.113.7");
    expect(clientAddress(request("203.0.113.7", "198.51.100.2, 198.51.100.3"), none)).toBe("203.0.113.7");
  });

  it("ignores X-Forwarded-For from a socket that is not a trusted proxy", () => {
    expect(clientAddress(request("203.0.113.7", "198.51.100.1"), oneProxy)).toBe("203.0.113.7");
  });

  it("takes the right-most hop behind a trusted proxy, not the client-controlled first one", () => {
    expect(clientAddress(request("10.0.0.2", "1.2.3.4, 203.0.113.7"), oneProxy)).toBe("203.0.113.7");
  });

  it("walks a chain of trusted proxies right to left", () => {
    expect(clientAddress(request("10.0.0.2", "6.6.6.6, 203.0.113.7, 192.168.7.4, 192.168.7.9"), proxyChain)).toBe(
      "203.0.113.7",
    );
  });

  it("reports IPv4-mapped IPv6 addresses as IPv4", () => {
    expect(clientAddress(request("::ffff:203.0.113.7"), none)).toBe("203.0.113.7");
    expect(clientAddress(request("::FFFF:10.0.0.2", "203.0.113.8"), oneProxy)).toBe("203.0.113.8");
    expect(clientAddress(request("2001:DB8::1"), none)).toBe("2001:db8::1");
  });

  it("is null when the socket has no address, so the request is refused rather than bucketed", () => {
    expect(clientAddress(request(undefined, "198.51.100.1"), none)).toBeNull();
  });

  it("refuses a TRUSTED_PROXIES entry that is not an address or CIDR", () => {
    expect(() => trustedProxies("10.0.0.2, proxy.internal")).toThrow();
  });
});

describe("requireClientAddress", () => {
  const handler = requireClientAddress(async () => new Response("ok"));

  it("passes a request that carries the computed address", async () => {
    const response = await handler(new Request("http://x/", { headers: { [CLIENT_ADDRESS_HEADER]: "203.0.113.7" } }));
    expect(await response.text()).toBe("ok");
  });

  it("refuses one without it, whatever X-Forwarded-For says", async () => {
    const response = await handler(new Request("http://x/", { headers: { "x-forwarded-for": "203.0.113.7" } }));
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: "CLIENT_ADDRESS_UNKNOWN" });
  });
});
