// Opens the store of a data directory for one admin command and closes it afterwards.
import { existsSync } from 'node:fs'
import { CliError } from './cli-error.ts'
import { loadConfig, resolveDataDir } from '../config/load.ts'
import { openStore } from '../store/open-store.ts'
import type { Store } from '../store/types.ts'

export interface DataOption {
  data?: string
}

export async function withStore<T>(opts: DataOption, fn: (store: Store) => Promise<T>): Promise<T> {
  const dataDir = resolveDataDir(opts.data, process.env)
  if (!existsSync(dataDir)) {
    throw new CliError(`no data directory at ${dataDir} (create one with: postern init)`)
  }
  const config = loadConfig({ dataDir, env: process.env })
  const { path, url } = config.store
  const store = openStore(url === '' ? { path } : { path, url })
  try {
    return await fn(store)
  } finally {
    await store.close()
  }
}
