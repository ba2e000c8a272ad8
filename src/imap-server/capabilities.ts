// The CAPABILITY list (RFC 9051 7.2.2): IMAP4rev2 and IMAP4rev1, STARTTLS before TLS,
// LOGINDISABLED where logging in is not allowed (RFC 9051 6.2.3) and the AUTH= mechanisms where
// it is, then only the extensions this server implements.

const EXTENSIONS = [
  'LITERAL+', // RFC 7888
  'ENABLE', // RFC 5161
  'ID', // RFC 2971
  'IDLE', // RFC 2177
  'NAMESPACE', // RFC 2342
  'UNSELECT', // RFC 3691
  'UIDPLUS', // RFC 4315
  'MOVE', // RFC 6851
  'CONDSTORE', // RFC 7162
  'QRESYNC', // RFC 7162
  'SPECIAL-USE', // RFC 6154
  'CREATE-SPECIAL-USE', // RFC 6154
  'LIST-EXTENDED', // RFC 5258
  'LIST-STATUS', // RFC 5819
  'CHILDREN', // RFC 3348
  'ESEARCH', // RFC 4731
  'SEARCHRES', // RFC 5182
  'WITHIN', // RFC 5032
  'BINARY', // RFC 3516
  'STATUS=SIZE', // RFC 8438
  'QUOTA', // RFC 9208
  'QUOTA=RES-STORAGE', // RFC 9208
  'UTF8=ACCEPT', // RFC 6855
  'SORT', // RFC 5256
  'SORT=DISPLAY', // RFC 5957
  'THREAD=ORDEREDSUBJECT', // RFC 5256
  'THREAD=REFERENCES', // RFC 5256
]

export function capabilityList(opts: {
  isNotAuthenticated: boolean
  canStartTls: boolean
  canLogIn: boolean
  appendLimit: number
}): string[] {
  const caps = ['IMAP4rev2', 'IMAP4rev1']
  if (opts.isNotAuthenticated) {
    if (opts.canStartTls) caps.push('STARTTLS')
    if (opts.canLogIn)
      caps.push('AUTH=PLAIN', 'AUTH=LOGIN', 'SASL-IR') // RFC 4959
    else caps.push('LOGINDISABLED')
  }
  caps.push(...EXTENSIONS, `APPENDLIMIT=${opts.appendLimit}`) // RFC 7889
  return caps
}
