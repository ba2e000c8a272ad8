// Where a stored message came from, read back from the header fields this server added when it
// received it: the client IP from the topmost Received field written by Postern (RFC 5321
// 4.4: "from helo ([ip])"), and the authenticated sender domain from the Authentication-Results
// field (RFC 8601 2.7: "dkim=pass header.d=...", "spf=pass smtp.mailfrom=..."). Used when a
// user's correction (a move into or out of Junk) updates the sender's reputation. Pure.
import { scanHeaders } from '../../mail/header-scan.ts'

export interface MessageOrigin {
  clientIp?: string
  authDomain?: string
}

const MAX_HEADER_BYTES = 64 * 1024

export function messageOrigin(raw: Buffer): MessageOrigin {
  const end = Math.min(scanHeaders(raw).headerEnd, MAX_HEADER_BYTES)
  const header = raw
    .subarray(0, end)
    .toString('latin1')
    .replace(/\r?\n[ \t]+/g, ' ')
  const out: MessageOrigin = {}
  for (const line of header.split(/\r?\n/)) {
    const colon = line.indexOf(':')
    if (colon <= 0) continue
    const name = line.slice(0, colon).trim().toLowerCase()
    const value = line.slice(colon + 1)
    if (name === 'received' && out.clientIp === undefined && value.includes('(Postern)')) {
      const m = /\(\[(?:IPv6:)?([0-9a-fA-F.:]+)\]\)/.exec(value)
      if (m?.[1] !== undefined) out.clientIp = m[1]
    }
    if (name === 'authentication-results' && out.authDomain === undefined) {
      const domain = authDomainOf(value)
      if (domain !== undefined) out.authDomain = domain
    }
  }
  return out
}

/** A passing DKIM signature's domain aligned with DMARC's From domain, else SPF's domain. */
function authDomainOf(value: string): string | undefined {
  const from = /\bdmarc=pass\b[^;]*?\bheader\.from=([^\s;]+)/i.exec(value)?.[1]?.toLowerCase()
  const dkim = [...value.matchAll(/\bdkim=pass\b[^;]*?\bheader\.d=([^\s;]+)/gi)].map((m) =>
    (m[1] ?? '').toLowerCase(),
  )
  const aligned = dkim.find((d) => from !== undefined && (from === d || from.endsWith(`.${d}`)))
  if (aligned !== undefined) return aligned
  const spf = /\bspf=pass\b[^;]*?\bsmtp\.mailfrom=([^\s;]+)/i.exec(value)?.[1]?.toLowerCase()
  if (spf !== undefined) return spf.slice(spf.lastIndexOf('@') + 1)
  return dkim[0]
}
