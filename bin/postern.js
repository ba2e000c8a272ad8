#!/usr/bin/env node
// The installed `postern` command. Postern needs Node.js 24 (it runs its TypeScript sources
// directly); on an older Node this re-runs itself with the Node 24 the package pins in
// node_modules/.bin/node, forwarding arguments, stdio, signals and the exit status.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import process from 'node:process'
import { URL, fileURLToPath } from 'node:url'

const major = Number(process.versions.node.split('.')[0])
const mainUrl = new URL('../src/cli/main.ts', import.meta.url)

if (major >= 24) {
  const { main } = await import(mainUrl.href)
  process.exitCode = await main(process.argv.slice(2))
} else {
  const pinned = fileURLToPath(new URL('../node_modules/.bin/node', import.meta.url))
  if (!existsSync(pinned)) {
    process.stderr.write(
      `postern: needs Node.js 24 or later (this is ${process.version}); run npm install first\n`,
    )
    process.exit(1)
  }
  const child = spawn(pinned, [fileURLToPath(mainUrl), ...process.argv.slice(2)], {
    stdio: 'inherit',
  })
  // A terminal's Ctrl-C already reaches the child (same process group): forwarding it too
  // would count as a second signal, which makes serve exit at once.
  const forwarded = process.stdin.isTTY ? ['SIGTERM', 'SIGHUP'] : ['SIGINT', 'SIGTERM', 'SIGHUP']
  for (const signal of forwarded) process.on(signal, () => child.kill(signal))
  if (process.stdin.isTTY) process.on('SIGINT', () => {})
  child.on('exit', (code, signal) => {
    if (signal === null) process.exit(code ?? 1)
    process.removeAllListeners(signal)
    process.kill(process.pid, signal)
  })
}
