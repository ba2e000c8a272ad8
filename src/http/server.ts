// The HTTP listener's request handler: GET /healthz (200 once every listener is up, else 503)
// and GET /metrics (Prometheus text). Everything else answers with a JSON error. The admin and
// send APIs will be mounted here later.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Metrics } from '../telemetry/metrics.ts'
import type { SpamExplanationRepo } from '../store/types-spam.ts'
import { explanationKey, serveExplanation } from './explanation-route.ts'
import { MTA_STS_PATH, serveMtaSts, type MtaStsOptions } from './mta-sts.ts'

export interface HttpHandlerOptions {
  metrics: Metrics
  isReady: () => boolean
  /** Spam verdict explanations (GET /api/messages/<id>/explanation, loopback only). */
  explanations?: SpamExplanationRepo
  /** The MTA-STS policy at mta-sts.<domain>/.well-known/mta-sts.txt (RFC 8461 3.3). */
  mtaSts?: MtaStsOptions
}

export type HttpHandler = (req: IncomingMessage, res: ServerResponse) => void

const ROUTES = new Set(['/healthz', '/metrics'])

export function createHttpHandler(opts: HttpHandlerOptions): HttpHandler {
  return (req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://localhost').pathname
    const key = explanationKey(pathname)
    if (key !== undefined && opts.explanations !== undefined && req.method === 'GET') {
      serveExplanation({ req, res, key, repo: opts.explanations, sendJson })
      return
    }
    if (pathname === MTA_STS_PATH && opts.mtaSts !== undefined && req.method === 'GET') {
      serveMtaSts(req, res, opts.mtaSts)
      return
    }
    if (!ROUTES.has(pathname)) {
      sendJson(res, 404, { error: 'not found' })
      return
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD')
      sendJson(res, 405, { error: 'method not allowed' })
      return
    }
    if (pathname === '/healthz') {
      const ready = opts.isReady()
      sendJson(res, ready ? 200 : 503, { status: ready ? 'ok' : 'starting' })
      return
    }
    opts.metrics.render().then(
      (text) => {
        res.writeHead(200, { 'content-type': opts.metrics.contentType })
        res.end(text)
      },
      (err: unknown) => {
        sendJson(res, 500, { error: `metrics failed: ${String(err)}` })
      },
    )
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  })
  res.end(text)
}
