// The MTA-STS policy route over a real loopback HTTP server: the Host header picks the domain.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, request } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createMetrics } from '../telemetry/metrics.ts'
import { createHttpHandler } from './server.ts'
import { mtaStsDomain } from './mta-sts.ts'

function get(
  port: number,
  host: string,
  method = 'GET',
): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/.well-known/mta-sts.txt', method, headers: { host } },
      (res) => {
        let body = ''
        res.setEncoding('utf8').on('data', (d: string) => (body += d))
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body })
        })
      },
    )
    req.on('error', reject)
    req.end()
  })
}

void test('GET /.well-known/mta-sts.txt answers the policy for mta-sts.<local domain>', async (t) => {
  const server = createServer(
    createHttpHandler({
      metrics: createMetrics(),
      isReady: () => true,
      mtaSts: {
        mode: 'enforce',
        mx: ['mx.example.org'],
        maxAgeS: 604800,
        isLocalDomain: (d) => Promise.resolve(d === 'example.org'),
      },
    }),
  )
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.after(() => {
    server.close()
  })
  const { port } = server.address() as AddressInfo
  const ok = await get(port, `mta-sts.example.org:${port}`)
  assert.equal(ok.status, 200)
  assert.match(ok.type, /^text\/plain/)
  assert.equal(
    ok.body,
    'version: STSv1\r\nmode: enforce\r\nmx: mx.example.org\r\nmax_age: 604800\r\n',
  )
  assert.equal((await get(port, 'mta-sts.other.example')).status, 404)
  assert.equal((await get(port, 'example.org')).status, 404)
  assert.equal(mtaStsDomain('MTA-STS.Example.ORG.'), 'example.org')
  assert.equal(mtaStsDomain('mta-sts.'), undefined)
})
