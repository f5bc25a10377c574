import { isIP } from "node:net";
import ipaddr from "ipaddr.js";

type Address = ipaddr.IPv4 | ipaddr.IPv6;
type Range = [Address, number];

const NAMED: Record<string, string[]> = {
  loopback: ["127.0.0.0/8", "::1/128"],
  private: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7", "127.0.0.0/8", "::1/128"],
};

/**
 * Space no internet client can come from (RFC 1918 and 6598, loopback, link-local, IPv6 unique local). A
 * trusted range outside it contains public addresses: anyone there could forge X-Forwarded-For.
 */
const INTERNAL: Range[] = [
  "10.0.0.0/8",
  "172.16.0.0/12",
  "192.168.0.0/16",
  "100.64.0.0/10",
  "127.0.0.0/8",
  "169.254.0.0/16",
  "::1/128",
  "fc00::/7",
  "fe80::/10",
].map((cidr) => ipaddr.parseCIDR(cidr));

/**
 * A strictly written address, or undefined. ipaddr.js alone also takes inet_aton forms (`127.1`,
 * `0x7f000001`, octal `010.0.0.1` = 8.0.0.1) that proxies never write; node's isIP does not, but it takes
 * zone ids (`fe80::1%eth0`), which name an interface of some host, not a client. IPv4-mapped IPv6
 * (`::ffff:10.1.2.3`, as dual-stack sockets report IPv4 peers) becomes the IPv4 address it is.
 */
export function parseIp(text: string): Address | undefined {
  const bare = text.trim().replace(/^\[(.*)\]$/, "$1");
  if (bare.includes("%") || isIP(bare) === 0 || !ipaddr.isValid(bare)) return undefined;
  return ipaddr.process(bare);
}

/** The canonical text of an address (`::ffff:10.1.2.3` is `10.1.2.3`), or the input, trimmed, if it is none. */
export function normalizeIp(ip: string): string {
  return parseIp(ip)?.toString() ?? ip.trim();
}

function parseRange(spec: string): Range {
  const [address = "", prefix, ...rest] = spec.split("/");
  const ip = parseIp(address);
  if (!ip || rest.length > 0) throw new Error(`"${spec}" is not an IP address or CIDR`);
  const written = isIP(address.trim().replace(/^\[(.*)\]$/, "$1")) === 4 ? 32 : 128;
  const bits = prefix === undefined ? written : /^\d{1,3}$/.test(prefix) ? Number(prefix) : Number.NaN;
  if (!(bits >= 0 && bits <= written)) throw new Error(`"${spec}" has a bad prefix length`);
  if (ip.kind() === "ipv6" || written === 32) return [ip, bits];
  // IPv4-mapped, which parseIp turned into IPv4: the prefix must keep the 96 mapped bits, and drops them.
  if (bits < 96) throw new Error(`"${spec}" has a bad prefix length`);
  return [ip, bits - 96];
}

/** Whether `address` is in `range`; an IPv4 address is also its IPv4-mapped IPv6 form (so `::/0` is all). */
function inRange(address: Address, [base, bits]: Range): boolean {
  if (address.kind() === base.kind()) return address.match(base, bits);
  return address.kind() === "ipv4" && (address as ipaddr.IPv4).toIPv4MappedAddress().match(base, bits);
}

export class TrustedProxies {
  readonly #ranges: { spec: string; range: Range }[];

  /** Throws on an entry that is not an address, a CIDR or a named set. */
  constructor(specs: readonly string[]) {
    this.#ranges = specs.flatMap((spec) =>
      (NAMED[spec.trim()] ?? [spec]).map((entry) => ({ spec, range: parseRange(entry) })),
    );
  }

  get empty(): boolean {
    return this.#ranges.length === 0;
  }

  has(ip: string): boolean {
    const address = parseIp(ip);
    return address !== undefined && this.#ranges.some(({ range }) => inRange(address, range));
  }

  /** The entries that reach past internal space (see INTERNAL), each once, as the operator wrote them. */
  publicEntries(): string[] {
    const wide = this.#ranges.filter(
      ({ range: [base, bits] }) =>
        !INTERNAL.some(
          ([internal, internalBits]) => internalBits <= bits && inRange(base, [internal, internalBits]),
        ),
    );
    return [...new Set(wide.map(({ spec }) => spec))];
  }
}

/**
 * The client's address: the socket's peer, unless that peer is a trusted proxy, in which case
 * X-Forwarded-For is read from the right, skipping trusted hops (the left end can be forged by anyone).
 * A peer we cannot name is not a trusted proxy: its header is never read.
 */
export function clientIp(
  socketIp: string | undefined,
  forwardedFor: string | null,
  trusted: TrustedProxies,
): string {
  const peer = socketIp === undefined ? "unknown" : normalizeIp(socketIp);
  if (trusted.empty || !forwardedFor || socketIp === undefined || !trusted.has(peer)) return peer;
  const hops = forwardedFor
    .split(",")
    .map((hop) => parseIp(hop)?.toString())
    .filter((hop) => hop !== undefined);
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i] as string;
    if (!trusted.has(hop)) return hop;
  }
  return hops[0] ?? peer;
}
