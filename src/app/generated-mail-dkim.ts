// Wiring of the DKIM signer for the mail Postern writes itself (DSNs, DMARC aggregate reports):
// the same key files and signer as submission (`init` / `domain add` write DIR/dkim/), with the
// store's local domains deciding which domains may sign (src/dkim-sign/generated-mail-signer.ts).
import type { Config } from '../config/schema.ts'
import type { Store } from '../store/types.ts'
import type { Logger } from '../telemetry/logger.ts'
import { DkimKeyStore } from '../dkim-sign/dkim-keys.ts'
import { DkimSigner } from '../dkim-sign/dkim-signer.ts'
import { GeneratedMailSigner } from '../dkim-sign/generated-mail-signer.ts'
import { dkimKeyFiles } from './init.ts'

export function createGeneratedMailSigner(opts: {
  config: Config
  dataDir: string
  store: Pick<Store, 'domains'>
  clock: () => number
  logger?: Logger
}): GeneratedMailSigner {
  const keys = new DkimKeyStore({
    keyFiles: (domain) =>
      dkimKeyFiles({ dataDir: opts.dataDir, domain, selector: opts.config.dkim.selector }),
    clock: opts.clock,
  })
  return new GeneratedMailSigner({
    signer: new DkimSigner({ keys }),
    isLocalDomain: async (domain) => (await opts.store.domains.get(domain)) !== undefined,
    clock: opts.clock,
    ...(opts.logger === undefined ? {} : { logger: opts.logger }),
  })
}
