import { describe, expect, test } from "bun:test";
import { clientIp, TrustedProxies } from "../../src/core/security/client-ip.ts";

describe("TrustedProxies: matching", () => {
  test("an IPv4-mapped IPv6 peer (dual-stack socket) matches the IPv4 range it is in", () => {
    const trusted = new TrustedProxies(["10.0.0.0/8"]);
    expect(trusted.has("10.1.2.3")).toBe(true);
    expect(trusted.has("::ffff:10.1.2.3")).toBe(true);
    expect(trusted.has("::FFFF:10.1.2.3")).toBe(true);
    expect(trusted.has("::ffff:a01:203")).toBe(true);
    expect(trusted.has("0:0:0:0:0:ffff:10.1.2.3")).toBe(true);
    expect(trusted.has("::ffff:11.1.2.3")).toBe(false);
  });

  test("an IPv4-mapped CIDR is the IPv4 range it maps", () => {
    const trusted = new TrustedProxies(["::ffff:10.0.0.0/104"]);
    expect(trusted.has("10.9.9.9")).toBe(true);
    expect(trusted.has("11.0.0.1")).toBe(false);
    expect(() => new TrustedProxies(["::ffff:10.0.0.0/90"])).toThrow("bad prefix length");
  });

  test("IPv6 ranges match however the address is written", () => {
    const trusted = new TrustedProxies(["2001:db8::/32"]);
    expect(trusted.has("2001:db8::1")).toBe(true);
    expect(trusted.has("2001:0DB8:0000::0001")).toBe(true);
    expect(trusted.has("[2001:db8::1]")).toBe(true);
    expect(trusted.has("2001:db9::1")).toBe(false);
  });

  test("the named sets", () => {
    const loopback = new TrustedProxies(["loopback"]);
    expect(["127.0.0.1", "127.255.0.9", "::1", "::ffff:127.0.0.1"].map((ip) => loopback.has(ip))).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(loopback.has("10.0.0.1")).toBe(false);
    const internal = new TrustedProxies(["private"]);
    for (const ip of ["10.0.0.1", "172.16.0.1", "172.31.255.255", "192.168.1.1", "fd00::1", "127.0.0.1"])
      expect([ip, internal.has(ip)]).toEqual([ip, true]);
    for (const ip of ["172.32.0.1", "8.8.8.8", "2001:db8::1"])
      expect([ip, internal.has(ip)]).toEqual([ip, false]);
  });

  test("a zone id is not an address: refused as an entry, never matched as a peer", () => {
    expect(() => new TrustedProxies(["fe80::1%eth0"])).toThrow("not an IP address");
    expect(() => new TrustedProxies(["fe80::%eth0/10"])).toThrow("not an IP address");
    const linkLocal = new TrustedProxies(["fe80::/10"]);
    expect(linkLocal.has("fe80::1")).toBe(true);
    expect(linkLocal.has("fe80::1%eth0")).toBe(false);
  });

  test("only strictly written addresses: no inet_aton shorthands, no octal, no ports", () => {
    for (const entry of [
      "127.1",
      "0x7f000001",
      "010.0.0.1",
      "10.0.0.0/8/8",
      "10.0.0.0/33",
      "10.0.0.0/-1",
      "x",
    ])
      expect(() => new TrustedProxies([entry])).toThrow();
    const trusted = new TrustedProxies(["127.0.0.0/8", "8.0.0.0/8"]);
    for (const ip of ["127.1", "0x7f000001", "010.0.0.1", "127.0.0.1:80", ""])
      expect([ip, trusted.has(ip)]).toEqual([ip, false]);
  });

  test("::/0 covers IPv4 clients too (an IPv4 address is also its mapped IPv6 form)", () => {
    expect(new TrustedProxies(["::/0"]).has("203.0.113.9")).toBe(true);
  });
});

describe("TrustedProxies: entries that reach public address space", () => {
  test("internal ranges and single internal addresses are fine", () => {
    const specs = ["loopback", "private", "10.1.2.3", "172.31.240.10", "100.64.0.0/10", "169.254.0.0/16"];
    expect(
      new TrustedProxies([...specs, "fe80::/10", "fd12::/16", "::ffff:10.0.0.0/104"]).publicEntries(),
    ).toEqual([]);
  });

  test("everything, or any public address, is reported as written, once", () => {
    const trusted = new TrustedProxies([
      "0.0.0.0/0",
      "::/0",
      "::ffff:0:0/96",
      "10.0.0.0/7",
      "203.0.113.7",
      "2001:db8::/32",
      "10.0.0.0/8",
    ]);
    expect(trusted.publicEntries()).toEqual([
      "0.0.0.0/0",
      "::/0",
      "::ffff:0:0/96",
      "10.0.0.0/7",
      "203.0.113.7",
      "2001:db8::/32",
    ]);
  });
});

describe("clientIp", () => {
  const trusted = new TrustedProxies(["10.0.0.0/8"]);

  test("a trusted IPv4-mapped peer's X-Forwarded-For is read from the right", () => {
    expect(clientIp("::ffff:10.0.0.5", "198.51.100.1, 203.0.113.9, 10.0.0.7", trusted)).toBe("203.0.113.9");
  });

  test("an untrusted peer is the client, whatever it forwards", () => {
    expect(clientIp("203.0.113.9", "10.0.0.1", trusted)).toBe("203.0.113.9");
    expect(clientIp("::ffff:203.0.113.9", "10.0.0.1", trusted)).toBe("203.0.113.9");
  });

  test("hops that are not strict addresses are skipped, never taken as the client", () => {
    expect(clientIp("10.0.0.5", "203.0.113.9, fe80::1%eth0, 010.0.0.1", trusted)).toBe("203.0.113.9");
  });

  test("a peer that cannot be named is not a trusted proxy: its X-Forwarded-For is not read", () => {
    const everyInternal = new TrustedProxies(["private"]);
    expect(clientIp(undefined, "10.0.0.1", everyInternal)).toBe("unknown");
    expect(clientIp(undefined, "203.0.113.9, 10.0.0.1", trusted)).toBe("unknown");
  });
});
