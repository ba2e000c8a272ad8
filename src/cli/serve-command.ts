// `postern serve`: creates the embedded default on first run, loads and validates the
// config, starts every listener and runs until SIGTERM/SIGINT, then stops gracefully
// (a second signal exits at once).
import { ensureEmbeddedDefault, EMBEDDED_POSTMASTER } from '../app/init.ts'
import { loadConfig, resolveDataDir } from '../config/load.ts'
import { logEvent } from '../telemetry/events.ts'
import { createLogger } from '../telemetry/logger.ts'
import { createMetrics } from '../telemetry/metrics.ts'
import type { DataOption } from './with-store.ts'

export async function serve(opts: DataOption): Promise<void> {
  const dataDir = resolveDataDir(opts.data, process.env)
  // Validate the environment before creating anything on disk.
  loadConfig({ dataDir, env: process.env })
  const embedded = await ensureEmbeddedDefault({ dataDir })
  const config = loadConfig({ dataDir, env: process.env })
  const logger = createLogger({ level: config.log.level })
  const metrics = createMetrics()
  if (embedded.postmasterPassword !== undefined) {
    process.stderr.write(
      `Postern created a new data directory at ${dataDir} for domain localhost.\n` +
        `Log in as ${EMBEDDED_POSTMASTER} with password ${embedded.postmasterPassword} ` +
        `(shown once; change it with: postern account passwd ${EMBEDDED_POSTMASTER} --password-stdin)\n`,
    )
    // The password goes to the terminal only, never into logs that are kept and shipped.
    logEvent(logger, 'server.default-created', { dataDir, account: EMBEDDED_POSTMASTER })
  }
  // Loaded here so that the admin commands do not load the servers.
  const { startPostern } = await import('../app/start.ts')
  const running = await startPostern({ dataDir, config, logger, metrics })
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', resolve)
    process.once('SIGINT', resolve)
  })
  const exitNow = (): void => process.exit(1)
  process.once('SIGTERM', exitNow)
  process.once('SIGINT', exitNow)
  logger.info({ signal }, 'signal received, stopping')
  await running.stop({ graceMs: config.smtp.shutdown_grace_ms })
  process.exit(0)
}
