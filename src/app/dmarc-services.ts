// Wiring of the DMARC reporting and forwarding features (constructed here, used by start.ts):
// the SRS rewriter (router: reverse; forward stage: rewrite), the ARC sealer over the domains'
// DKIM keys, the daily aggregate-report scheduler, and the MTA-STS policy the HTTP listener
// serves.
import type { Config } from '../config/schema.ts'
import type { DnsResolver } from '../dns/resolver.ts'
import type { Store } from '../store/types.ts'
import type { Logger } from '../telemetry/logger.ts'
import { Srs } from '../srs/srs.ts'
import { loadSrsSecret } from '../srs/srs-secret.ts'
import { ArcSealer } from '../arc-seal/arc-sealer.ts'
import { DkimKeyStore } from '../dkim-sign/dkim-keys.ts'
import { ReportSender } from '../dmarc-report/report-sender.ts'
import { ReportScheduler } from '../dmarc-report/report-scheduler.ts'
import type { ForwardingDeps } from '../smtp-server/pipeline/forward.ts'
import type { MtaStsOptions } from '../http/mta-sts.ts'
import { dkimKeyFiles } from './init.ts'
import type { GeneratedMailSigner } from '../dkim-sign/generated-mail-signer.ts'

export interface DmarcServices {
  srs?: Srs
  forwarding?: ForwardingDeps
  mtaSts: MtaStsOptions
  /** Starts the daily report scheduler (when dmarc.reports is on). */
  start(): void
  stop(): Promise<void>
}

export function createDmarcServices(opts: {
  config: Config
  dataDir: string
  store: Store
  resolver: DnsResolver
  clock: () => number
  logger: Logger
  /** DKIM-signs the aggregate report mail (app/generated-mail-dkim.ts). */
  signer?: GeneratedMailSigner
}): DmarcServices {
  const { config, store, clock } = opts
  const srs = config.srs.enabled
    ? new Srs({
        secret: loadSrsSecret({ dataDir: opts.dataDir, configured: config.srs.secret }),
        maxAgeDays: config.srs.max_age_days,
        clock,
      })
    : undefined
  const sealer = config.srs.arc_seal
    ? new ArcSealer({
        keys: new DkimKeyStore({
          keyFiles: (domain) =>
            dkimKeyFiles({ dataDir: opts.dataDir, domain, selector: config.dkim.selector }),
          clock,
        }),
      })
    : undefined
  const forwarding: ForwardingDeps = {
    srsDomain: config.srs.domain.toLowerCase(),
    ...(srs === undefined ? {} : { srs }),
    ...(sealer === undefined ? {} : { sealer }),
  }
  const d = config.dmarc
  const scheduler = new ReportScheduler({
    sender: new ReportSender({
      store,
      resolver: opts.resolver,
      clock,
      hostname: config.hostname,
      orgName: d.org_name,
      fromAddress: d.report_from,
      logger: opts.logger,
      ...(opts.signer === undefined ? {} : { signer: opts.signer }),
    }),
    prune: (before) => store.emailAuth.pruneEvaluations(before),
    clock,
    hourUtc: d.report_hour_utc,
    retentionDays: d.retention_days,
    logger: opts.logger,
  })
  return {
    ...(srs === undefined ? {} : { srs }),
    ...(srs === undefined && sealer === undefined ? {} : { forwarding }),
    mtaSts: {
      mode: d.mta_sts_mode,
      mx: [config.hostname],
      maxAgeS: d.mta_sts_max_age_s,
      isLocalDomain: async (domain) => (await store.domains.get(domain)) !== undefined,
    },
    start() {
      if (d.reports) scheduler.start()
    },
    stop: () => scheduler.stop(),
  }
}
