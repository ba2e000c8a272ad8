// The process logger: pino writing one JSON object per line (stdout by default), with an ISO
// `time`, the level as a word and `service: "postern"` on every line. Lines that record
// something that happened carry an `event` field from the catalogue in events.ts.
import { pino } from 'pino'
import type { Logger as PinoLogger } from 'pino'

export type Logger = PinoLogger

export interface CreateLoggerOptions {
  /** trace, debug, info, warn, error, fatal or silent. */
  level: string
  /** Where the JSON lines go; stdout (synchronously) when absent. */
  destination?: NodeJS.WritableStream
}

export function createLogger(opts: CreateLoggerOptions): Logger {
  const options = {
    level: opts.level,
    base: { service: 'postern' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
  }
  const destination = opts.destination ?? pino.destination({ dest: 1, sync: true })
  return pino(options, destination)
}
