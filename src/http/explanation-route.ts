// GET /api/messages/<id>/explanation: the stored spam verdict explanation of a message
// (src/store/types-spam.ts), by queue id or Message-ID (URL-encoded), as JSON. There is no
// admin authentication yet, so the route answers only clients on loopback (127.0.0.0/8, ::1)
// and 403 to everyone else.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { SpamExplanationRepo } from '../store/types-spam.ts'

const PATH = /^\/api\/messages\/([^/]{1,998})\/explanation$/

export function isLoopback(ip: string | undefined): boolean {
  if (ip === undefined) return false
  const v4 = ip.startsWith('::ffff:') ? ip.slice(7) : ip
  return v4.startsWith('127.') || ip === '::1'
}

/** The message key of an explanation path, or undefined when the path is not one. */
export function explanationKey(pathname: string): string | undefined {
  const m = PATH.exec(pathname)
  if (m === null) return undefined
  try {
    return decodeURIComponent(m[1] ?? '')
  } catch {
    return undefined
  }
}

export type SendJson = (res: ServerResponse, status: number, body: unknown) => void

export function serveExplanation(opts: {
  req: IncomingMessage
  res: ServerResponse
  key: string
  repo: SpamExplanationRepo
  sendJson: SendJson
}): void {
  const { req, res, key, repo, sendJson } = opts
  if (!isLoopback(req.socket.remoteAddress)) {
    sendJson(res, 403, { error: 'the admin API answers loopback clients only' })
    return
  }
  repo.find(key).then(
    (found) => {
      if (found.length === 0) sendJson(res, 404, { error: `no explanation stored for ${key}` })
      else sendJson(res, 200, { explanations: found.map((f) => f.explanation) })
    },
    (err: unknown) => {
      sendJson(res, 500, { error: `lookup failed: ${String(err)}` })
    },
  )
}
