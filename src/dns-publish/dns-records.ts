// The DNS records a Postern domain should publish, as zone-file lines with the reason each
// matters: MX (RFC 5321 5.1), SPF (RFC 7208), DKIM keys per selector and algorithm (RFC 6376
// 3.6.1, RFC 8463), DMARC (RFC 7489 6.1), MTA-STS (RFC 8461 3.1) and its policy host, TLS-RPT
// (RFC 8460 3), the client SRV records (RFC 6186, RFC 8314 5.1) and the autoconfig host.
//
// The DMARC record suggested is p=quarantine by default (dmarc.publish_policy): spoofed mail is
// kept out of inboxes at once, yet a legitimate source that was forgotten (a mailing service,
// a forwarder) lands in Junk rather than being lost; once the aggregate reports (rua= to the
// domain's postmaster, which Postern reads) show every source passing, move to p=reject.
import { createHash, createPublicKey } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { isIPv6 } from 'node:net'
import { mtaStsPolicyText } from '../http/mta-sts.ts'

export type RecordKind =
  | 'mx'
  | 'spf'
  | 'dkim'
  | 'dmarc'
  | 'mta-sts'
  | 'mta-sts-host'
  | 'tls-rpt'
  | 'srv'
  | 'autoconfig-host'

export interface PublishRecord {
  kind: RecordKind
  /** Owner name, without the trailing dot. */
  name: string
  type: 'MX' | 'TXT' | 'CNAME' | 'SRV'
  /** The value: TXT text unsplit; MX "10 host"; SRV "prio weight port target"; CNAME host. */
  value: string
  /** One line: why it matters. */
  why: string
}

export interface DkimKeyFileRef {
  path: string
  dnsSelector: string
  algorithm: 'rsa' | 'ed25519'
}

export interface DnsRecordsInput {
  domain: string
  hostname: string
  /** Public IPs of the server, added to SPF as ip4:/ip6:. */
  serverIps: readonly string[]
  publishPolicy: 'none' | 'quarantine' | 'reject'
  dkimKeys: readonly DkimKeyFileRef[]
  mtaSts: { mode: 'enforce' | 'testing' | 'none'; maxAgeS: number }
  /** Ports of the client listeners; undefined: the listener is off. */
  ports: Partial<Record<'submission' | 'submissions' | 'imap' | 'imaps' | 'pop3s', number>>
}

export function dnsRecords(input: DnsRecordsInput): PublishRecord[] {
  const d = input.domain.toLowerCase()
  const host = input.hostname.toLowerCase()
  const records: PublishRecord[] = [
    {
      kind: 'mx',
      name: d,
      type: 'MX',
      value: `10 ${host}.`,
      why: `other servers deliver mail for ${d} to the host its MX names; without it they cannot`,
    },
    {
      kind: 'spf',
      name: d,
      type: 'TXT',
      value: spfRecord(input.serverIps),
      why: 'receivers check that mail from this domain comes from an allowed server (SPF)',
    },
    ...input.dkimKeys.map((k): PublishRecord => ({
      kind: 'dkim',
      name: `${k.dnsSelector}._domainkey.${d}`,
      type: 'TXT',
      value: `v=DKIM1; k=${k.algorithm}; p=${dkimPublicKey(k)}`,
      why: `receivers verify Postern's ${k.algorithm} DKIM signatures with this key`,
    })),
    {
      kind: 'dmarc',
      name: `_dmarc.${d}`,
      type: 'TXT',
      value: `v=DMARC1; p=${input.publishPolicy}; rua=mailto:postmaster@${d}; adkim=r; aspf=r`,
      why: 'tells receivers to refuse or quarantine mail that fakes this domain, and where to report',
    },
    {
      kind: 'mta-sts',
      name: `_mta-sts.${d}`,
      type: 'TXT',
      value: `v=STSv1; id=${mtaStsId(host, input.mtaSts)}`,
      why: 'tells senders to require TLS to the MX (MTA-STS); the id changes with the policy',
    },
    {
      kind: 'mta-sts-host',
      name: `mta-sts.${d}`,
      type: 'CNAME',
      value: `${host}.`,
      why: `senders fetch the policy at https://mta-sts.${d}/.well-known/mta-sts.txt (Postern serves it)`,
    },
    {
      kind: 'tls-rpt',
      name: `_smtp._tls.${d}`,
      type: 'TXT',
      value: `v=TLSRPTv1; rua=mailto:postmaster@${d}`,
      why: 'senders report TLS delivery failures to this domain (TLS-RPT)',
    },
    ...srvRecords(d, host, input.ports),
    {
      kind: 'autoconfig-host',
      name: `autoconfig.${d}`,
      type: 'CNAME',
      value: `${host}.`,
      why: 'mail clients (Thunderbird) look for settings at this host name',
    },
  ]
  return records
}

function spfRecord(ips: readonly string[]): string {
  const mechanisms = ips.map((ip) => (isIPv6(ip) ? `ip6:${ip}` : `ip4:${ip}`))
  return ['v=spf1', 'mx', ...mechanisms, '-all'].join(' ')
}

const SRV_SERVICES = [
  ['submission', 0, 'mail submission (STARTTLS)'],
  ['submissions', 0, 'mail submission over TLS'],
  ['imap', 10, 'IMAP (STARTTLS)'],
  ['imaps', 0, 'IMAP over TLS'],
  ['pop3s', 20, 'POP3 over TLS'],
] as const

/** RFC 6186 3.1 / 3.4: one SRV per client service; target "." when the service is off. */
function srvRecords(d: string, host: string, ports: DnsRecordsInput['ports']): PublishRecord[] {
  return SRV_SERVICES.map(([service, priority, label]) => {
    const port = ports[service]
    return {
      kind: 'srv',
      name: `_${service}._tcp.${d}`,
      type: 'SRV',
      value: port === undefined ? '0 0 0 .' : `${priority} 1 ${port} ${host}.`,
      why:
        port === undefined
          ? `says ${label} is not offered (RFC 6186 3.4), so clients do not try it`
          : `mail clients find ${label} from the address alone (RFC 6186)`,
    }
  })
}

/** The public key of a PEM private key as DKIM publishes it (RFC 6376 3.6.1, RFC 8463 4). */
export function dkimPublicKey(key: Pick<DkimKeyFileRef, 'path' | 'algorithm'>): string {
  const der = createPublicKey(readFileSync(key.path)).export({ type: 'spki', format: 'der' })
  return key.algorithm === 'ed25519'
    ? der.subarray(der.length - 32).toString('base64')
    : der.toString('base64')
}

/** RFC 8461 3.1: id is 1-32 alphanumerics; ours is a digest of the policy, so it follows it. */
export function mtaStsId(
  host: string,
  opts: { mode: 'enforce' | 'testing' | 'none'; maxAgeS: number },
): string {
  const text = mtaStsPolicyText({ mode: opts.mode, mx: [host], maxAgeS: opts.maxAgeS })
  return createHash('sha256').update(text).digest('hex').slice(0, 20)
}

/** A record as a zone-file line (TXT values split into 255-byte character-strings). */
export function zoneLine(r: PublishRecord): string {
  const value = r.type === 'TXT' ? txtStrings(r.value) : r.value
  return `${r.name}.\tIN ${r.type} ${value}`
}

/** RFC 1035 3.3.14: a TXT value is character-strings of at most 255 bytes each. */
export function txtStrings(value: string): string {
  const bytes = Buffer.from(value, 'utf8')
  const parts: string[] = []
  for (let i = 0; i < bytes.length; i += 255) {
    parts.push(
      `"${bytes
        .subarray(i, i + 255)
        .toString('utf8')
        .replace(/["\\]/g, '\\$&')}"`,
    )
  }
  return parts.join(' ')
}
