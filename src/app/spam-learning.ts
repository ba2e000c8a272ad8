// Builds the learning half of the spam filter from the configuration: the Bayesian classifier,
// sender reputation, DNS blocklists (the signal sources the spam verdict sums), greylisting
// (a RCPT check), the outbound sender score, and the IMAP hook that trains from users' moves.
import type { Config } from '../config/schema.ts'
import type { DnsResolver } from '../dns/resolver.ts'
import type { RcptCheck } from '../smtp-server/rcpt-checks.ts'
import type { SignalSource } from '../spam/signal.ts'
import type { VerdictObserver } from '../spam/analyze.ts'
import { BayesClassifier } from '../spam/bayes/classifier.ts'
import { JunkTrainer } from '../spam/bayes/junk-trainer.ts'
import { DnsBlocklists, parseDnsList } from '../spam/dnsbl/dnsbl.ts'
import { Greylist } from '../spam/greylist/greylist.ts'
import { authenticatedDomain, SenderReputation } from '../spam/reputation/reputation.ts'
import { SenderScore } from '../spam/sender-score/sender-score.ts'
import type { Store } from '../store/types.ts'
import type { Logger } from '../telemetry/logger.ts'

export interface SpamLearning {
  bayes: BayesClassifier
  reputation: SenderReputation
  dnsbl: DnsBlocklists
  /** Undefined when greylist.enabled is false. */
  greylist: Greylist | undefined
  /** Undefined when sender_score.enabled is false. */
  senderScore: SenderScore | undefined
  junkTrainer: JunkTrainer
  /** The enabled signal sources, for the spam analyzer. */
  signals: SignalSource[]
  /** Checks for SmtpDeps.rcptChecks (greylisting when enabled). */
  rcptChecks: RcptCheck[]
  /** What each spam verdict teaches: reputation, greylisting's DMARC passes, refusals. */
  observer: VerdictObserver
}

export function createSpamLearning(opts: {
  config: Config
  store: Store
  resolver: DnsResolver
  logger: Logger
  clock: () => number
}): SpamLearning {
  const { config, store, clock, logger } = opts
  const repo = store.spamLearning
  const bayes = new BayesClassifier({
    repo: repo.bayes,
    minSpam: config.bayes.min_spam,
    minHam: config.bayes.min_ham,
    weight: config.bayes.weight,
    clock,
  })
  const reputation = new SenderReputation({
    repo: repo.reputation,
    weight: config.reputation.weight,
    minMessages: config.reputation.min_messages,
    correctionWeight: config.reputation.correction_weight,
    clock,
  })
  const dnsbl = new DnsBlocklists({
    resolver: opts.resolver,
    ipLists: config.dnsbl.ip_lists.map(parseDnsList),
    domainLists: config.dnsbl.domain_lists.map(parseDnsList),
    timeoutMs: config.dnsbl.timeout_ms,
    maxDomains: config.dnsbl.max_domains,
  })
  const g = config.greylist
  const greylist = g.enabled
    ? new Greylist({
        repo: repo.greylist,
        delayS: g.delay_s,
        expireS: g.expire_s,
        rememberS: g.remember_s,
        passlist: g.passlist,
        ...(g.skip_good_reputation ? { isGoodSender: (ip: string) => reputation.isGood(ip) } : {}),
        clock,
      })
    : undefined
  const senderScore = config.sender_score.enabled
    ? senderScoreFromConfig({ config, store, logger, clock })
    : undefined
  const signals: SignalSource[] = []
  if (config.bayes.enabled) signals.push(bayes)
  if (config.reputation.enabled) signals.push(reputation)
  if (!dnsbl.isEmpty) signals.push(dnsbl)
  return {
    bayes,
    reputation,
    dnsbl,
    greylist,
    senderScore,
    junkTrainer: new JunkTrainer({ store, classifier: bayes, reputation, logger }),
    signals,
    rcptChecks: greylist === undefined ? [] : [greylist.rcptCheck()],
    observer: verdictObserver({ reputation, greylist, senderScore }),
  }
}

/**
 * Inbound verdicts count for the sender's reputation (junk or reject: spam; none: ham), and a
 * DMARC pass lets the triples of the message skip greylisting from then on; an outbound
 * message the pre-flight refused counts against the submitting account's sender score.
 */
function verdictObserver(parts: {
  reputation: SenderReputation
  greylist: Greylist | undefined
  senderScore: SenderScore | undefined
}): VerdictObserver {
  return {
    async onVerdict(input, verdict) {
      if (input.direction === 'outbound') {
        const [accountId] = input.accountIds
        if (verdict.action === 'refuse' && accountId !== undefined) {
          await parts.senderScore?.recordPreflightRefusal(accountId)
        }
        return
      }
      const spam = verdict.action === 'junk' || verdict.action === 'reject'
      const authDomain = authenticatedDomain(input.auth)
      await parts.reputation.recordVerdict({ clientIp: input.clientIp, authDomain, spam })
      if (input.auth?.dmarc.result === 'pass' && !spam) {
        await parts.greylist?.recordDmarcPass({
          clientIp: input.clientIp,
          mailFrom: input.mailFrom,
          rcpts: input.rcpts,
        })
      }
    },
  }
}

/** The sender score alone (the CLI shows and lifts it even when enforcement is off). */
export function senderScoreFromConfig(opts: {
  config: Config
  store: Store
  logger: Logger
  clock: () => number
}): SenderScore {
  const s = opts.config.sender_score
  return new SenderScore({
    repo: opts.store.spamLearning.senderScore,
    limits: {
      windowMs: s.window_s * 1000,
      minMessages: s.min_messages,
      throttleBounceRate: s.throttle_bounce_pct / 100,
      suspendBounceRate: s.suspend_bounce_pct / 100,
      throttleRefusals: s.throttle_refusals,
      suspendRefusals: s.suspend_refusals,
    },
    logger: opts.logger,
    clock: opts.clock,
  })
}
