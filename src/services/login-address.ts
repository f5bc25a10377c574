import ipaddr from "ipaddr.js";

/**
 * The unit login limits count per client: an IPv4 address, or the IPv6 network of `v6PrefixLength`
 * bits that holds it. One subscriber usually gets a whole /64 and can rotate through it freely, so
 * counting full IPv6 addresses would give an attacker 2^64 fresh identities. IPv4-mapped IPv6 is IPv4.
 * Something that is not an address (a client-ip fallback) is its own group, as before.
 */
export function addressGroup(ip: string, v6PrefixLength: number): string {
  if (!ipaddr.isValid(ip)) return ip;
  const address = ipaddr.process(ip);
  if (address.kind() === "ipv4") return address.toString();
  const network = ipaddr.IPv6.networkAddressFromCIDR(`${address.toString()}/${v6PrefixLength}`);
  return `${network.toString()}/${v6PrefixLength}`;
}
