// Which client addresses belong to a list of CIDR networks (trusted relays, networks allowed to
// log in without TLS, greylisting passlists).
import { BlockList, isIPv6 } from 'node:net'

/** A predicate telling whether a client IP is in one of the CIDR networks. */
export function networkMatcher(cidrs: readonly string[]): (ip: string) => boolean {
  const list = new BlockList()
  for (const cidr of cidrs) {
    const [net, bits] = cidr.split('/')
    const type = net !== undefined && isIPv6(net) ? 'ipv6' : 'ipv4'
    const prefix = bits === undefined ? (type === 'ipv6' ? 128 : 32) : Number(bits)
    list.addSubnet(net ?? '', prefix, type)
  }
  return (ip) => {
    const v6 = isIPv6(ip)
    const mapped = v6 && ip.startsWith('::ffff:') ? ip.slice(7) : undefined
    if (mapped !== undefined) return list.check(mapped, 'ipv4')
    return list.check(ip, v6 ? 'ipv6' : 'ipv4')
  }
}
