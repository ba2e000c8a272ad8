// bench/pop3.ts — POP3 retrieval benchmark (npm run bench:pop3; a benchmark, not a test).
// Starts Postern with a POP3 listener on loopback, delivers N messages of about S bytes to one
// account through SMTP (a few concurrent sessions), then RETRs all of them over ONE POP3
// session (pipelined, a window of W commands in flight) and prints the throughput in MB/s,
// the server's RSS during the run (sampled) and its peak, and, for comparison, what a plain
// Node socket moves over loopback with the same chunk size (the "socket limit"). Ends with
// one machine-readable `RESULT key=value ...` line. Bounded: N <= 10,000, --timeout.
//
// Usage: node bench/pop3.ts [--messages N] [--size BYTES] [--window W] [--timeout S]
import { readFileSync } from 'node:fs'
import { connect, createServer, type Socket } from 'node:net'
import { parseArgs } from 'node:util'
import { startPosternProcess, type PosternProcess } from '../test/harness/postern-process.ts'
import { deliverOverSmtp, pop3TestMessage } from '../test/harness/pop3-mail.ts'

const { values: flags } = parseArgs({
  options: {
    messages: { type: 'string', default: '1000' },
    size: { type: 'string', default: '51200' },
    window: { type: 'string', default: '8' },
    timeout: { type: 'string', default: '300' },
  },
})
const MESSAGES = Math.min(10_000, Number(flags.messages))
const SIZE = Number(flags.size)
const WINDOW = Math.max(1, Number(flags.window))
const DEADLINE = Date.now() + Number(flags.timeout) * 1000
const USER = 'bench@bench.test'
const PASSWORD = 'bench password'
const TERMINATOR = Buffer.from('\r\n.\r\n')

function rssMb(pid: number): { rss: number; hwm: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const kb = (key: string): number => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1])
    return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 }
  } catch {
    return { rss: NaN, hwm: NaN }
  }
}

/** CPU time (user + system, ms) a process has used so far; NaN if unknown. */
function cpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100 // clock ticks of 10 ms
  } catch {
    return NaN
  }
}

/** Reads POP3 responses from a socket: single lines, or a multi-line response's byte count. */
class Pop3Reader {
  #buf: Buffer = Buffer.alloc(0)
  #waiter: (() => void) | undefined
  #isClosed = false

  constructor(socket: Socket) {
    socket.on('data', (d: Buffer) => {
      this.#buf = this.#buf.length === 0 ? d : Buffer.concat([this.#buf, d])
      this.#waiter?.()
    })
    socket.on('close', () => {
      this.#isClosed = true
      this.#waiter?.()
    })
  }

  async #more(): Promise<void> {
    if (this.#isClosed) throw new Error('connection closed')
    if (Date.now() > DEADLINE) throw new Error('benchmark time limit reached')
    await new Promise<void>((resolve) => (this.#waiter = resolve))
    this.#waiter = undefined
  }

  async line(): Promise<string> {
    for (;;) {
      const end = this.#buf.indexOf('\r\n')
      if (end >= 0) {
        const line = this.#buf.subarray(0, end).toString('latin1')
        this.#buf = this.#buf.subarray(end + 2)
        return line
      }
      await this.#more()
    }
  }

  /** Consumes a multi-line body up to and including its terminator; returns its bytes. */
  async body(): Promise<number> {
    let seen = 0
    for (;;) {
      const i = this.#buf.indexOf(TERMINATOR)
      if (i >= 0) {
        this.#buf = this.#buf.subarray(i + TERMINATOR.length)
        return seen + i + 2
      }
      // Keep the last 4 bytes: the terminator may straddle chunks.
      const keep = Math.min(this.#buf.length, TERMINATOR.length - 1)
      seen += this.#buf.length - keep
      this.#buf = this.#buf.subarray(this.#buf.length - keep)
      await this.#more()
    }
  }
}

async function retrieveAll(port: number): Promise<{ bytes: number; seconds: number }> {
  const socket = connect({ host: '127.0.0.1', port })
  const r = new Pop3Reader(socket)
  const expectOk = async (): Promise<string> => {
    const line = await r.line()
    if (!line.startsWith('+OK')) throw new Error(`POP3: ${line}`)
    return line
  }
  await expectOk()
  socket.write(`USER ${USER}\r\nPASS ${PASSWORD}\r\n`)
  await expectOk()
  const login = await expectOk()
  const count = Number(/has (\d+) messages/.exec(login)?.[1])
  if (count < MESSAGES) throw new Error(`maildrop has ${count} of ${MESSAGES} messages`)
  const t0 = performance.now()
  let bytes = 0
  let sent = 0
  const sendUpTo = (n: number): void => {
    let batch = ''
    while (sent < n && sent < MESSAGES) batch += `RETR ${++sent}\r\n`
    if (batch !== '') socket.write(batch)
  }
  sendUpTo(WINDOW)
  for (let done = 0; done < MESSAGES; done++) {
    await expectOk()
    bytes += await r.body()
    sendUpTo(done + 1 + WINDOW)
  }
  const seconds = (performance.now() - t0) / 1000
  socket.write('QUIT\r\n')
  await expectOk()
  socket.destroy()
  return { bytes, seconds }
}

/** What loopback moves with plain Node sockets: the same bytes, the same chunk size. */
async function socketBaseline(totalBytes: number, chunk: Buffer): Promise<number> {
  const server = createServer((s) => {
    let left = totalBytes
    const pump = (): void => {
      while (left > 0) {
        left -= chunk.length
        if (!s.write(chunk)) {
          s.once('drain', pump)
          return
        }
      }
      s.end()
    }
    pump()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  const t0 = performance.now()
  await new Promise<void>((resolve) => {
    const c = connect({ host: '127.0.0.1', port })
    c.on('data', () => undefined)
    c.on('end', resolve)
  })
  const seconds = (performance.now() - t0) / 1000
  server.close()
  return totalBytes / 1e6 / seconds
}

async function deliver(srv: PosternProcess): Promise<void> {
  const sessions = 10
  const per = Math.ceil(MESSAGES / sessions)
  await Promise.all(
    Array.from({ length: sessions }, (_, s) => {
      const ids = Array.from({ length: per }, (_, i) => s * per + i).filter((i) => i < MESSAGES)
      const messages = ids.map((i) => pop3TestMessage(`b${i}`, SIZE))
      return deliverOverSmtp({ smtpPort: srv.smtpPort, to: USER, messages })
    }),
  )
}

async function main(): Promise<void> {
  console.log('starting postern with a POP3 listener on loopback...')
  const srv = await startPosternProcess({
    domain: 'bench.test',
    hostname: 'mx.bench.test',
    users: [{ address: USER, password: PASSWORD }],
    pop3: true,
    pop3PlaintextNetworks: ['127.0.0.0/8'],
    env: { POSTERN_LOG_LEVEL: 'warn' },
  })
  try {
    console.log(`delivering ${MESSAGES} messages of ~${SIZE} bytes over SMTP...`)
    await deliver(srv)
    const idle = rssMb(srv.pid)
    let peakRss = idle.rss
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, rssMb(srv.pid).rss)
    }, 20)
    console.log(`RETR of ${MESSAGES} messages over one session (window ${WINDOW})...`)
    const cpuBefore = cpuMs(srv.pid)
    const { bytes, seconds } = await retrieveAll(srv.pop3Port)
    const serverCpuMs = cpuMs(srv.pid) - cpuBefore
    clearInterval(sampler)
    const after = rssMb(srv.pid)
    const mbps = bytes / 1e6 / seconds
    const baseline = await socketBaseline(bytes, pop3TestMessage('x', SIZE))
    const r = {
      messages: MESSAGES,
      size: SIZE,
      window: WINDOW,
      bytes,
      seconds: seconds.toFixed(3),
      mb_per_s: mbps.toFixed(1),
      msgs_per_s: (MESSAGES / seconds).toFixed(0),
      socket_mb_per_s: baseline.toFixed(1),
      server_cpu_us_per_msg: ((serverCpuMs * 1000) / MESSAGES).toFixed(0),
      rss_before_mb: idle.rss.toFixed(1),
      rss_peak_mb: peakRss.toFixed(1),
      rss_after_mb: after.rss.toFixed(1),
      hwm_mb: after.hwm.toFixed(1),
    }
    console.log(
      `retrieved ${bytes} bytes in ${r.seconds} s: ${r.mb_per_s} MB/s, ${r.msgs_per_s} msg/s`,
    )
    console.log(`plain loopback socket, same bytes: ${r.socket_mb_per_s} MB/s`)
    console.log(
      `server RSS ${r.rss_before_mb} MB before, ${r.rss_peak_mb} MB peak during RETR (process peak ${r.hwm_mb} MB)`,
    )
    console.log(
      'RESULT ' +
        Object.entries(r)
          .map(([k, v]) => `${k}=${v}`)
          .join(' '),
    )
  } finally {
    await srv.cleanup()
  }
}

await main()
