import { isIP } from "node:net";

/** An address range: an IP literal, a CIDR, or a named set ("loopback", "private"). */
interface Range {
  v6: boolean;
  base: bigint;
  bits: number;
}

const NAMED: Record<string, string[]> = {
  loopback: ["127.0.0.0/8", "::1/128"],
  private: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7", "127.0.0.0/8", "::1/128"],
};

/** IPv4-mapped IPv6 (::ffff:1.2.3.4), as dual-stack sockets report IPv4 peers, is treated as IPv4. */
export function normalizeIp(ip: string): string {
  const trimmed = ip.trim().replace(/^\[|\]$/g, "");
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(trimmed);
  return mapped?.[1] ?? trimmed.toLowerCase();
}

function toBigInt(ip: string): bigint {
  if (isIP(ip) === 4) return ip.split(".").reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
  const [head = "", tail = ""] = ip.split("::");
  const left = head ? head.split(":") : [];
  const right = ip.includes("::") ? (tail ? tail.split(":") : []) : [];
  const groups = ip.includes("::")
    ? [...left, ...Array(8 - left.length - right.length).fill("0"), ...right]
    : left;
  return groups.reduce((acc, group) => (acc << 16n) | BigInt(Number.parseInt(group || "0", 16)), 0n);
}

function parseRange(spec: string): Range {
  const [address = "", prefix] = spec.split("/");
  const ip = normalizeIp(address);
  const version = isIP(ip);
  if (version === 0) throw new Error(`"${spec}" is not an IP address or CIDR`);
  const max = version === 4 ? 32 : 128;
  const bits = prefix === undefined ? max : Number(prefix);
  if (!Number.isInteger(bits) || bits < 0 || bits > max) throw new Error(`"${spec}" has a bad prefix length`);
  const shift = BigInt(max - bits);
  return { v6: version === 6, base: (toBigInt(ip) >> shift) << shift, bits };
}

export class TrustedProxies {
  readonly #ranges: Range[];

  /** Throws on an entry that is not an address, a CIDR or a named set. */
  constructor(specs: readonly string[]) {
    this.#ranges = specs.flatMap((spec) => (NAMED[spec] ?? [spec]).map(parseRange));
  }

  get empty(): boolean {
    return this.#ranges.length === 0;
  }

  has(ip: string): boolean {
    const normal = normalizeIp(ip);
    const version = isIP(normal);
    if (version === 0) return false;
    const value = toBigInt(normal);
    const max = version === 4 ? 32 : 128;
    return this.#ranges.some((range) => {
      if (range.v6 !== (version === 6)) return false;
      const shift = BigInt(max - range.bits);
      return (value >> shift) << shift === range.base;
    });
  }
}

/**
 * The client's address: the socket's peer, unless that peer is a trusted proxy, in which case
 * X-Forwarded-For is read from the right, skipping trusted hops (the left end can be forged by anyone).
 */
export function clientIp(
  socketIp: string | undefined,
  forwardedFor: string | null,
  trusted: TrustedProxies,
): string {
  const peer = socketIp === undefined ? "unknown" : normalizeIp(socketIp);
  if (trusted.empty || !forwardedFor || (peer !== "unknown" && !trusted.has(peer))) return peer;
  const hops = forwardedFor
    .split(",")
    .map((hop) => normalizeIp(hop))
    .filter((hop) => isIP(hop) !== 0);
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i] as string;
    if (!trusted.has(hop)) return hop;
  }
  return hops[0] ?? peer;
}
