// A private Postfix instance for interop tests: its own config, queue and data directories
// under a temp dir, smtpd on one loopback address and port, the `virtual` delivery agent
// writing Maildirs for one test domain, optional relayhost for everything else. Started with
// `postfix -c DIR start` and stopped with `postfix -c DIR stop` (its own master, found by its
// own pid file; a system Postfix is never touched). Needs root (the master runs as root and
// the daemons as the `postfix` user) and the Debian package `postfix`.
import { execFile } from 'node:child_process'
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  chmodSync,
  chownSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir, userInfo } from 'node:os'
import { join } from 'node:path'
import { connect, createServer } from 'node:net'
import { promisify } from 'node:util'

const run = promisify(execFile)

export interface PostfixOptions {
  /** Loopback address smtpd listens on. */
  host: string
  /** Its port; by default a free one. */
  port?: number
  /** Domain whose mail is delivered into Maildirs (users listed in `users`). */
  domain: string
  users: string[]
  /** "[127.0.0.1]:2525": where other mail goes. Absent: other mail is refused. */
  relayhost?: string
  /** smtp_tls_security_level for the relay client ("may", "none"). */
  clientTls?: string
  hostname?: string
  /** PEM files: smtpd offers STARTTLS with them. */
  tls?: { certPath: string; keyPath: string }
}

export interface PostfixInstance {
  host: string
  port: number
  dir: string
  /** Messages delivered into user's Maildir (new/), as text. */
  maildir(user: string): string[]
  waitForMail(user: string, count: number, timeoutMs?: number): Promise<string[]>
  /** The instance's mail log. */
  log(): string
  stop(): Promise<void>
}

/** Why Postfix cannot run here, or undefined when it can. */
export function postfixUnavailable(): string | undefined {
  if (!existsSync('/usr/sbin/postfix')) return 'postfix is not installed (apt-get install postfix)'
  if (userInfo().uid !== 0) return 'a private Postfix master needs root'
  try {
    const passwd = readFileSync('/etc/passwd', 'utf8')
    if (!/^postfix:/m.test(passwd)) return 'no postfix user'
  } catch {
    return 'cannot read /etc/passwd'
  }
  return undefined
}

export async function freePort(host: string): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, host, resolve)
  })
  const address = server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  await new Promise<void>((resolve) => {
    server.close(() => {
      resolve()
    })
  })
  return port
}

function idOf(kind: 'passwd' | 'group', name: string): number {
  const line = readFileSync(`/etc/${kind}`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${name}:`))
  const id = Number(line?.split(':')[2])
  if (!Number.isInteger(id)) throw new Error(`no ${kind} entry for ${name}`)
  return id
}

export async function startPostfix(opts: PostfixOptions): Promise<PostfixInstance> {
  const dir = mkdtempSync(join(tmpdir(), 'postern-postfix-'))
  chmodSync(dir, 0o755)
  const etc = join(dir, 'etc')
  const spool = join(dir, 'spool')
  const data = join(dir, 'data')
  const mail = join(dir, 'mail')
  for (const d of [etc, spool, data, mail]) mkdirSync(d, { recursive: true })
  const uid = idOf('passwd', 'postfix')
  const gid = idOf('group', 'postfix')
  chownSync(data, uid, gid)
  chownSync(mail, uid, gid)
  const port = opts.port ?? (await freePort(opts.host))
  writeFileSync(
    join(etc, 'vmailbox'),
    opts.users.map((u) => `${u}@${opts.domain} ${opts.domain}/${u}/Maildir/\n`).join(''),
  )
  writeFileSync(join(etc, 'main.cf'), mainCf({ ...opts, etc, spool, data, mail, uid, gid, dir }))
  writeFileSync(join(etc, 'master.cf'), masterCf(opts.host, port))
  await run('/usr/sbin/postfix', ['-c', etc, 'start'])
  const instance: PostfixInstance = {
    host: opts.host,
    port,
    dir,
    maildir: (user) => readMaildir(join(mail, opts.domain, user, 'Maildir', 'new')),
    waitForMail: async (user, count, timeoutMs = 15_000) => {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const found = instance.maildir(user)
        if (found.length >= count) return found
        if (Date.now() > deadline) {
          throw new Error(
            `no mail for ${user} within ${String(timeoutMs)} ms; log:\n${instance.log()}`,
          )
        }
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
    },
    log: () => {
      try {
        return readFileSync(join(dir, 'postfix.log'), 'utf8')
      } catch {
        return '(no log)'
      }
    },
    stop: async () => {
      await run('/usr/sbin/postfix', ['-c', etc, 'stop']).catch(() => undefined)
      await waitMasterGone(join(spool, 'pid', 'master.pid'))
      rmSync(dir, { recursive: true, force: true })
    },
  }
  try {
    await waitListening(opts.host, port, 10_000)
  } catch (err) {
    const log = instance.log()
    await instance.stop()
    throw new Error(`postfix did not start: ${String(err)}\n${log}`)
  }
  return instance
}

function mainCf(
  o: PostfixOptions & {
    etc: string
    spool: string
    data: string
    mail: string
    uid: number
    gid: number
    dir: string
  },
): string {
  return `# Written by test/harness/postfix-instance.ts: a private loopback instance.
compatibility_level = 3.6
config_directory = ${o.etc}
queue_directory = ${o.spool}
data_directory = ${o.data}
command_directory = /usr/sbin
daemon_directory = /usr/lib/postfix/sbin
mail_owner = postfix
setgid_group = postdrop
maillog_file = ${o.dir}/postfix.log
maillog_file_prefixes = /var, /dev/stdout, ${o.dir}
myhostname = ${o.hostname ?? `postfix.${o.domain}`}
mydomain = ${o.domain}
myorigin = ${o.domain}
mydestination =
inet_interfaces = loopback-only
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
smtpd_banner = $myhostname ESMTP
smtpd_peername_lookup = no
smtp_dns_support_level = disabled
biff = no
alias_maps =
alias_database =
virtual_mailbox_domains = ${o.domain}
virtual_mailbox_maps = texthash:${o.etc}/vmailbox
virtual_mailbox_base = ${o.mail}
virtual_uid_maps = static:${String(o.uid)}
virtual_gid_maps = static:${String(o.gid)}
virtual_transport = virtual
relayhost = ${o.relayhost ?? ''}
${o.relayhost === undefined ? 'default_transport = error:no relay in this test\nrelay_transport = error:no relay in this test\n' : ''}local_transport = error:no local delivery in this test
smtp_tls_security_level = ${o.clientTls ?? 'may'}
${o.tls === undefined ? '' : `smtpd_tls_security_level = may\nsmtpd_tls_cert_file = ${o.tls.certPath}\nsmtpd_tls_key_file = ${o.tls.keyPath}\nsmtpd_tls_loglevel = 1`}
smtp_tls_loglevel = 1
queue_run_delay = 1s
minimal_backoff_time = 1s
maximum_backoff_time = 2s
`
}

function masterCf(host: string, port: number): string {
  return `# Written by test/harness/postfix-instance.ts: no chroot, one loopback listener.
${host}:${String(port)} inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
virtual   unix  -       n       n       -       -       virtual
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
postlog   unix-dgram n  -       n       -       1       postlogd
`
}

function readMaildir(path: string): string[] {
  let names: string[]
  try {
    names = readdirSync(path).sort()
  } catch {
    return []
  }
  return names.map((n) => readFileSync(join(path, n), 'utf8'))
}

async function waitListening(host: string, port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect({ host, port })
      socket.once('connect', () => {
        socket.destroy()
        resolve(true)
      })
      socket.once('error', () => {
        resolve(false)
      })
    })
    if (ok) return
    if (Date.now() > deadline) throw new Error(`nothing listens on ${host}:${String(port)}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

async function waitMasterGone(pidFile: string): Promise<void> {
  let pid: number
  try {
    pid = Number(readFileSync(pidFile, 'utf8').trim())
  } catch {
    return
  }
  if (!Number.isInteger(pid) || pid <= 1) return
  for (let i = 0; i < 100; i++) {
    try {
      process.kill(pid, 0)
    } catch {
      return
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  // Still there after 5 s: stop this master (our pid file, our process) for good.
  try {
    process.kill(pid, 'SIGKILL')
  } catch {
    // already gone
  }
}
