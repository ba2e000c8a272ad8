// The EHLO reply as a client reads it (RFC 5321 4.1.1.1): the first line is the server's
// domain and greeting, each further line one extension keyword with its parameters. Keywords
// are case-insensitive. The extensions the sending side uses: PIPELINING (RFC 2920), SIZE
// (RFC 1870), 8BITMIME (RFC 6152), SMTPUTF8 (RFC 6531), DSN (RFC 3461), STARTTLS (RFC 3207),
// ENHANCEDSTATUSCODES (RFC 2034), CHUNKING (RFC 3030), REQUIRETLS (RFC 8689).

export interface Capabilities {
  /** The domain the server named on the first line (lower case; '' when absent). */
  serverName: string
  /** Every keyword (upper case) with its parameters as sent. */
  keywords: Map<string, string[]>
  pipelining: boolean
  /** RFC 1870 6: the SIZE limit; 0 = the server declared no fixed limit; undefined = no SIZE. */
  size?: number
  eightBitMime: boolean
  smtputf8: boolean
  dsn: boolean
  startTls: boolean
  enhancedStatusCodes: boolean
  chunking: boolean
  requireTls: boolean
}

/** Capabilities of a server that answered HELO (no extensions). */
export function heloCapabilities(serverName: string): Capabilities {
  return parseEhlo([serverName])
}

/** Parses the text lines of a 250 reply to EHLO (codes already removed). */
export function parseEhlo(lines: readonly string[]): Capabilities {
  const [first = '', ...rest] = lines
  const keywords = new Map<string, string[]>()
  for (const line of rest) {
    // RFC 5321 4.1.1.1: ehlo-line = ehlo-keyword *( SP / "=" ehlo-param ); some old servers
    // wrote "AUTH=LOGIN", hence "=" as a separator too.
    const [keyword = '', ...params] = line.trim().split(/[ =]+/)
    if (!/^[A-Za-z0-9][A-Za-z0-9-]*$/.test(keyword)) continue
    keywords.set(keyword.toUpperCase(), params)
  }
  const has = (k: string): boolean => keywords.has(k)
  const caps: Capabilities = {
    serverName: (first.trim().split(/\s+/)[0] ?? '').toLowerCase(),
    keywords,
    pipelining: has('PIPELINING'),
    eightBitMime: has('8BITMIME'),
    smtputf8: has('SMTPUTF8'),
    dsn: has('DSN'),
    startTls: has('STARTTLS'),
    enhancedStatusCodes: has('ENHANCEDSTATUSCODES'),
    chunking: has('CHUNKING'),
    requireTls: has('REQUIRETLS'),
  }
  const size = keywords.get('SIZE')
  if (size !== undefined) {
    // RFC 1870 4: "SIZE" alone or "SIZE 0" means no fixed maximum.
    const n = Number(size[0] ?? '0')
    caps.size = Number.isSafeInteger(n) && n >= 0 ? n : 0
  }
  return caps
}
