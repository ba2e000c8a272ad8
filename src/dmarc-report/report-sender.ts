// Sends the DMARC aggregate reports of one UTC day (RFC 7489 7.2): for every policy domain
// that had evaluations, looks its DMARC record up (through the injected resolver), keeps the
// rua= mailto: destinations that pass the external-destination check (7.1) and whose size
// limit the report fits, builds the report (aggregate.ts, aggregate-xml.ts), and queues one
// message to them through store.accept (the outbound queue sends it). A domain already
// reported for that day is skipped, so running twice (scheduler and CLI) sends once. The
// report mail is DKIM-signed for its From domain (RFC 6376; the generated-mail signer picks the
// domain's key or its closest local parent's), so it passes DMARC where the domain has p=reject.
import { parseDmarcRecord } from '../email-auth/dmarc.ts'
import { isDnsNotFound, type DnsResolver } from '../dns/resolver.ts'
import type { Store } from '../store/types.ts'
import type { DmarcEvaluation } from '../store/types-email-auth.ts'
import type { Logger } from '../telemetry/logger.ts'
import { buildAggregateReport } from './aggregate.ts'
import { aggregateReportXml } from './aggregate-xml.ts'
import { buildReportMail } from './report-mail.ts'
import { checkExternalDestination, parseRua, type ReportDestination } from './rua.ts'
import type { PolicyPublished } from './report-model.ts'
import { addressDomain, type GeneratedMailSigner } from '../dkim-sign/generated-mail-signer.ts'

export const DAY_MS = 86_400_000

export interface ReportSenderOptions {
  store: Pick<Store, 'emailAuth' | 'accept' | 'domains'>
  resolver: DnsResolver
  clock: () => number
  /** Our host name: the report's "receiver" and the default organisation name. */
  hostname: string
  /** report_metadata/org_name; the hostname when ''. */
  orgName: string
  /** The From of report mail; dmarc-reports@<first local domain or hostname> when ''. */
  fromAddress: string
  logger?: Logger
  /** DKIM-signs the report mail for its From domain; absent: sent unsigned. */
  signer?: Pick<GeneratedMailSigner, 'signGenerated'>
}

export type DomainOutcome =
  | { domain: string; kind: 'sent'; reportId: string; to: string[]; records: number }
  | { domain: string; kind: 'already-sent' }
  | { domain: string; kind: 'skipped'; reason: string }

export class ReportSender {
  readonly #opts: ReportSenderOptions

  constructor(opts: ReportSenderOptions) {
    this.#opts = opts
  }

  /** Sends the reports of the UTC day that starts at `dayStart` (epoch ms, midnight). */
  async sendDay(dayStart: number): Promise<DomainOutcome[]> {
    const evaluations = await this.#opts.store.emailAuth.evaluationsBetween(
      dayStart,
      dayStart + DAY_MS,
    )
    const byDomain = new Map<string, DmarcEvaluation[]>()
    for (const e of evaluations) {
      const list = byDomain.get(e.policyDomain) ?? []
      list.push(e)
      byDomain.set(e.policyDomain, list)
    }
    const outcomes: DomainOutcome[] = []
    for (const [domain, list] of byDomain) {
      const outcome = await this.#sendDomain(domain, list, dayStart).catch(
        (err: unknown): DomainOutcome => ({
          domain,
          kind: 'skipped',
          reason: err instanceof Error ? err.message : String(err),
        }),
      )
      this.#opts.logger?.info({ event: 'dmarc.report', ...outcome })
      outcomes.push(outcome)
    }
    return outcomes
  }

  async #sendDomain(
    domain: string,
    evaluations: DmarcEvaluation[],
    dayStart: number,
  ): Promise<DomainOutcome> {
    const begin = Math.floor(dayStart / 1000)
    const end = begin + DAY_MS / 1000 - 1
    if (await this.#opts.store.emailAuth.wasSent(domain, begin)) {
      return { domain, kind: 'already-sent' }
    }
    const record = await this.#lookup(domain)
    if (record === undefined) return { domain, kind: 'skipped', reason: 'no DMARC record now' }
    const destinations = await this.#destinations(domain, record.rua)
    if (destinations.length === 0) {
      return { domain, kind: 'skipped', reason: 'no usable rua= mailto: destination' }
    }
    const reportId = `${domain}.${begin}`
    const from = await this.#from()
    const report = buildAggregateReport({
      evaluations,
      policy: policyPublished(domain, record),
      orgName: this.#opts.orgName === '' ? this.#opts.hostname : this.#opts.orgName,
      email: from,
      reportId,
      begin,
      end,
    })
    const mail = buildReportMail({
      xml: aggregateReportXml(report),
      from,
      to: destinations.map((d) => d.address),
      receiver: this.#opts.hostname,
      policyDomain: domain,
      reportId,
      begin,
      end,
      now: this.#opts.clock(),
    })
    const signer = this.#opts.signer
    const raw =
      signer === undefined ? mail.raw : await signer.signGenerated(mail.raw, addressDomain(from))
    // RFC 7489 6.2: a destination's "!size" limit: too large a report is not sent there.
    const fitting = destinations.filter((d) => d.maxBytes === undefined || raw.length <= d.maxBytes)
    if (fitting.length === 0) {
      return {
        domain,
        kind: 'skipped',
        reason: `report of ${raw.length} bytes over every size limit`,
      }
    }
    await this.#opts.store.accept({
      raw,
      receivedAt: this.#opts.clock(),
      mailFrom: addressOf(from),
      local: [],
      remote: fitting.map((d) => ({ address: d.address })),
    })
    const to = fitting.map((d) => d.address)
    await this.#opts.store.emailAuth.recordSent({
      policyDomain: domain,
      begin,
      end,
      reportId,
      recipients: to,
      sentAt: this.#opts.clock(),
    })
    return { domain, kind: 'sent', reportId, to, records: report.records.length }
  }

  async #lookup(domain: string): Promise<ReturnType<typeof parseDmarcRecord>> {
    let answers: string[][]
    try {
      answers = await this.#opts.resolver.txt(`_dmarc.${domain}`)
    } catch (err) {
      if (isDnsNotFound(err)) return undefined
      throw err
    }
    const texts = answers.map((s) => s.join('')).filter((t) => /^v\s*=\s*DMARC1\s*(;|$)/.test(t))
    // RFC 7489 6.6.3: exactly one record, else none applies.
    return texts.length === 1 && texts[0] !== undefined
      ? parseDmarcRecord(texts[0], domain)
      : undefined
  }

  async #destinations(domain: string, rua: readonly string[]): Promise<ReportDestination[]> {
    const out: ReportDestination[] = []
    for (const uri of rua.slice(0, 10)) {
      const dest = parseRua(uri)
      if (dest === undefined) continue
      const check = await checkExternalDestination({
        policyDomain: domain,
        ruaDomain: dest.domain,
        resolver: this.#opts.resolver,
      })
      if (check === 'same-organization' || check === 'authorized') out.push(dest)
      else this.#opts.logger?.info({ event: 'dmarc.rua-refused', domain, rua: uri, check })
    }
    return out
  }

  async #from(): Promise<string> {
    if (this.#opts.fromAddress !== '') return this.#opts.fromAddress
    const [first] = await this.#opts.store.domains.list()
    return `dmarc-reports@${first?.name ?? this.#opts.hostname}`
  }
}

/** The bare address of a From value: "Name <a@b>" gives a@b (the envelope sender). */
function addressOf(from: string): string {
  return /<([^<>]*)>/.exec(from)?.[1]?.trim() ?? from
}

function policyPublished(
  domain: string,
  record: NonNullable<ReturnType<typeof parseDmarcRecord>>,
): PolicyPublished {
  return {
    domain,
    adkim: record.adkim,
    aspf: record.aspf,
    p: record.p,
    sp: record.sp ?? record.p,
    pct: record.pct,
    fo: record.fo,
  }
}

/** Midnight UTC of the day before `now` (the day a daily run reports on). */
export function previousUtcDay(now: number): number {
  return Math.floor(now / DAY_MS) * DAY_MS - DAY_MS
}
