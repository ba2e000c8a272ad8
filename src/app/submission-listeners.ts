// Wiring of the submission listeners (RFC 6409): `submission` (STARTTLS, 587 in production)
// and `submissions` (implicit TLS, RFC 8314 3.3; 465), when configured. They share the mx
// listener's dependencies (store, router, DNS, spam and RCPT checks), one failed-AUTH limiter
// (a guesser cannot double its tries by switching ports) and one DKIM signer whose keys are
// the files `init` / `domain add` write.
import type { Config, ListenerName } from '../config/schema.ts'
import { SmtpServer } from '../smtp-server/server.ts'
import type { SmtpDeps } from '../smtp-server/session-state.ts'
import { AuthFailureLimiter } from '../smtp-server/auth-limiter.ts'
import { DkimKeyStore } from '../dkim-sign/dkim-keys.ts'
import { DkimSigner } from '../dkim-sign/dkim-signer.ts'
import { dkimKeyFiles } from './init.ts'

export interface SubmissionListenersInput {
  config: Config
  dataDir: string
  /** The mx listener's dependencies; settings.role is replaced by "submission". */
  smtpDeps: SmtpDeps
  isPlaintextNetwork: (ip: string) => boolean
  addresses: Partial<Record<ListenerName, { host: string; port: number }>>
  closers: ((graceMs: number) => Promise<void>)[]
  listenOn: (
    name: ListenerName,
    address: string,
    listen: (host: string, port: number) => Promise<{ address: string; port: number }>,
  ) => Promise<{ host: string; port: number }>
}

export async function startSubmissionListeners(input: SubmissionListenersInput): Promise<void> {
  const { config, smtpDeps } = input
  const listeners = (['submission', 'submissions'] as const).filter(
    (name) => config.listen[name] !== '',
  )
  if (listeners.length === 0) return
  const s = config.submission
  const keys = new DkimKeyStore({
    keyFiles: (domain) =>
      dkimKeyFiles({ dataDir: input.dataDir, domain, selector: config.dkim.selector }),
    clock: smtpDeps.clock,
  })
  const submission = {
    isPlaintextAllowed: input.isPlaintextNetwork,
    authFailureDelayMs: s.auth_failure_delay_ms,
    authLimiter: new AuthFailureLimiter({
      maxFailures: s.max_auth_failures,
      windowMs: s.auth_failure_window_ms,
      clock: smtpDeps.clock,
    }),
    dkimSigner: new DkimSigner({ keys }),
  }
  for (const listener of listeners) {
    const server = new SmtpServer({
      deps: {
        ...smtpDeps,
        settings: { ...smtpDeps.settings, role: 'submission' },
        logger: smtpDeps.logger.child({ listener }),
        submission,
      },
      isImplicitTls: listener === 'submissions',
      maxConnections: config.smtp.max_connections,
      maxConnectionsPerIp: config.smtp.max_connections_per_ip,
    })
    input.addresses[listener] = await input.listenOn(listener, config.listen[listener], (h, p) =>
      server.listen(h, p),
    )
    input.closers.push((graceMs) => server.close(graceMs))
  }
}
