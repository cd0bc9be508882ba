import { describe, expect, it } from "vitest";
import { parseHost } from "./address";
import { cameraUrlFingerprint } from "./fingerprint";
import { checkAddress, checkUrlWithPolicy, type NetworkPolicy } from "./policy";

const hostOf = (url: string) => new URL(url).hostname;
const ipOf = (url: string) => {
  const parsed = parseHost(hostOf(url));
  return parsed.kind === "ip" ? parsed.address.toString() : parsed.kind;
};

// Everything an organisation could list; only the reserved ranges stand in the way.
const OPEN: NetworkPolicy = {
  networks: [
    { cidr: "0.0.0.0/0", portFrom: null, portTo: null },
    { cidr: "::/0", portFrom: null, portTo: null },
  ],
  exceptions: [],
};
const noDns = async () => {
  throw new Error("no DNS expected");
};

describe("parseHost reads numeric forms as a socket would", () => {
  it.each([
    ["rtsp://127.0.0.1:6379/", "127.0.0.1"],
    ["rtsp://0x7f000001/", "127.0.0.1"],
    ["rtsp://0177.0.0.1/", "127.0.0.1"],
    ["rtsp://2130706433/", "127.0.0.1"],
    ["rtsp://127.1/", "127.0.0.1"],
    ["rtsp://0x7f.0.1/", "127.0.0.1"],
    ["rtsp://127.0.0.1./", "127.0.0.1"],
    ["rtsp://[::ffff:7f00:1]/", "127.0.0.1"],
    ["rtsp://[::ffff:127.0.0.1]/", "127.0.0.1"],
    ["rtsp://[64:ff9b::a9fe:a9fe]/", "169.254.169.254"],
    ["rtsp://[::1]:5432/", "::1"],
    ["rtsp://169.254.169.254/", "169.254.169.254"],
    ["rtsp://10.1.2.3/", "10.1.2.3"],
  ])("%s is %s", (url, ip) => expect(ipOf(url)).toBe(ip));

  it.each(["rtsp://08.0.0.1/", "rtsp://1.2.3.4.5/", "rtsp://256.0.0.1/", "rtsp://4294967296/", "rtsp://cam.1/"])(
    "%s looks numeric but is no address: invalid, never a name",
    (url) => expect(ipOf(url)).toBe("invalid"),
  );

  it("keeps real names as names", () => {
    expect(parseHost("Cam-1.Example.CN.")).toEqual({ kind: "name", name: "cam-1.example.cn" });
    expect(parseHost("0x7f000001.example")).toEqual({ kind: "name", name: "0x7f000001.example" });
  });
});

describe("checkAddress", () => {
  it.each([
    "rtsp://127.0.0.1:6379/",
    "rtsp://169.254.169.254/",
    "rtsp://[::1]:5432/",
    "rtsp://0x7f000001/",
    "rtsp://0177.0.0.1/",
    "rtsp://2130706433/",
    "rtsp://127.1/",
    "rtsp://[::ffff:7f00:1]/",
    "rtsp://0.0.0.0/",
    "rtsp://[::]/",
    "rtsp://224.0.0.1/",
    "rtsp://255.255.255.255/",
    "rtsp://[fe80::1]/",
    "rtsp://[::7f00:1]/",
    "rtsp://[fd00:ec2::254]/",
    "rtsp://100.100.100.200/",
    "rtsp://[2002:7f00:1::]/",
    "rtsp://[2001:0:4136:e378:8000:63bf:80ff:fffe]/",
  ])("refuses %s as reserved even when the organisation lists everything", async (url) => {
    const verdict = await checkUrlWithPolicy(OPEN, url, noDns);
    expect(verdict).toMatchObject({ ok: false, reason: "reserved" });
  });

  it("allows only what the organisation lists, by address and port", () => {
    const policy: NetworkPolicy = { networks: [{ cidr: "10.20.0.0/16", portFrom: 554, portTo: 554 }], exceptions: [] };
    expect(checkAddress(policy, "10.20.3.4", 554)).toEqual({ ok: true, address: "10.20.3.4" });
    expect(checkAddress(policy, "10.20.3.4", 8554)).toMatchObject({ ok: false, reason: "not_allowed" });
    expect(checkAddress(policy, "10.21.0.1", 554)).toMatchObject({ ok: false, reason: "not_allowed" });
    expect(checkAddress(policy, "0x0a140304", 554)).toEqual({ ok: true, address: "10.20.3.4" });
  });

  it("an installation exception lifts a reserved range only where the organisation also lists it", () => {
    const exceptions = [{ cidr: "127.0.0.1/32", portFrom: 8554, portTo: 8554 }];
    const listed = { networks: [{ cidr: "127.0.0.0/8", portFrom: null, portTo: null }], exceptions };
    expect(checkAddress(listed, "127.0.0.1", 8554).ok).toBe(true);
    expect(checkAddress(listed, "127.0.0.1", 6379)).toMatchObject({ ok: false, reason: "reserved" });
    expect(checkAddress({ networks: [], exceptions }, "127.0.0.1", 8554)).toMatchObject({ reason: "not_allowed" });
  });
});

describe("checkUrlWithPolicy", () => {
  const policy: NetworkPolicy = { networks: [{ cidr: "10.0.0.0/8", portFrom: null, portTo: null }], exceptions: [] };

  it("replaces a name by the checked address, keeping credentials and path", async () => {
    const verdict = await checkUrlWithPolicy(policy, "rtsp://u:p@cam.example:8554/live?x=1", async () => ["10.0.0.7"]);
    expect(verdict).toEqual({ ok: true, url: "rtsp://u:p@10.0.0.7:8554/live?x=1", address: "10.0.0.7" });
  });

  it("requires every address a name resolves to to pass", async () => {
    const verdict = await checkUrlWithPolicy(policy, "rtsp://cam.example/", async () => ["10.0.0.7", "127.0.0.1"]);
    expect(verdict).toMatchObject({ ok: false, reason: "reserved" });
  });

  it("refuses a name that does not resolve", async () => {
    const verdict = await checkUrlWithPolicy(policy, "rtsp://nowhere.invalid/", async () => []);
    expect(verdict).toMatchObject({ ok: false, reason: "unresolvable" });
  });

  it("resolves localhost with the system resolver and refuses it", async () => {
    const verdict = await checkUrlWithPolicy(OPEN, "rtsp://localhost:6379/");
    expect(verdict).toMatchObject({ ok: false, reason: "reserved" });
  });

  it("writes an IPv6 answer in brackets", async () => {
    const v6 = { networks: [{ cidr: "2001:db8::/32", portFrom: null, portTo: null }], exceptions: [] };
    const verdict = await checkUrlWithPolicy(v6, "rtsp://[2001:db8::5]:554/a", noDns);
    expect(verdict).toEqual({ ok: true, url: "rtsp://[2001:db8::5]:554/a", address: "2001:db8::5" });
  });
});

describe("cameraUrlFingerprint", () => {
  it("is the same for one stream however it is written, and ignores credentials", () => {
    const a = cameraUrlFingerprint("rtsp://admin:one@10.0.0.1/live");
    expect(cameraUrlFingerprint("rtsp://other:two@0x0a000001:554/live")).toBe(a);
    expect(cameraUrlFingerprint("RTSP://10.0.0.1:554/live")).toBe(a);
    expect(cameraUrlFingerprint("rtsp://10.0.0.1/other")).not.toBe(a);
  });
});
