// The MTA-STS policy (RFC 8461 3.2, 3.3) of Postern's domains, served on the HTTP listener:
// GET /.well-known/mta-sts.txt with Host "mta-sts.<domain>", for a local domain, answers
// "version: STSv1", the mode, the MX host names and max_age, CRLF-separated, text/plain.
// RFC 8461 3.3 requires HTTPS with a certificate valid for mta-sts.<domain>: in production put a
// TLS-terminating proxy (or an https listener) in front of listen.http for that name.
import type { IncomingMessage, ServerResponse } from 'node:http'

export const MTA_STS_PATH = '/.well-known/mta-sts.txt'

export interface MtaStsOptions {
  mode: 'enforce' | 'testing' | 'none'
  /** The MX host names senders may deliver to (this server's hostname). */
  mx: readonly string[]
  maxAgeS: number
  isLocalDomain: (domain: string) => Promise<boolean>
}

/** RFC 8461 3.2: the policy body; each line "key: value" ending in CRLF. */
export function mtaStsPolicyText(opts: Pick<MtaStsOptions, 'mode' | 'mx' | 'maxAgeS'>): string {
  const lines = ['version: STSv1', `mode: ${opts.mode}`]
  for (const mx of opts.mx) lines.push(`mx: ${mx}`)
  lines.push(`max_age: ${opts.maxAgeS}`)
  return `${lines.join('\r\n')}\r\n`
}

/** The domain a policy request is for: "mta-sts.example.org[:port]" → "example.org". */
export function mtaStsDomain(host: string | undefined): string | undefined {
  if (host === undefined) return undefined
  const name = host.toLowerCase().replace(/:\d+$/, '').replace(/\.$/, '')
  if (!name.startsWith('mta-sts.') || name.length <= 8) return undefined
  return name.slice(8)
}

export function serveMtaSts(req: IncomingMessage, res: ServerResponse, opts: MtaStsOptions): void {
  const domain = mtaStsDomain(req.headers.host)
  const notFound = (): void => {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' })
    res.end('no MTA-STS policy for this host\n')
  }
  if (domain === undefined) {
    notFound()
    return
  }
  opts.isLocalDomain(domain).then(
    (isLocal) => {
      if (!isLocal) {
        notFound()
        return
      }
      const body = mtaStsPolicyText(opts)
      // RFC 8461 3.3: media type text/plain; no redirects.
      res.writeHead(200, {
        'content-type': 'text/plain; charset=utf-8',
        'content-length': Buffer.byteLength(body),
        'cache-control': `max-age=${Math.min(opts.maxAgeS, 86_400)}`,
      })
      res.end(req.method === 'HEAD' ? undefined : body)
    },
    () => {
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' })
      res.end('try again later\n')
    },
  )
}
