import { test } from 'node:test'
import assert from 'node:assert/strict'
import { heloCapabilities, parseEhlo } from './ehlo.ts'

test('EHLO keywords: case-insensitive, parameters, SIZE', () => {
  const caps = parseEhlo([
    'MX.Example.COM at your service',
    'pipelining',
    'SIZE 35882577',
    '8BITMIME',
    'STARTTLS',
    'ENHANCEDSTATUSCODES',
    'DSN',
    'SMTPUTF8',
    'CHUNKING',
    'AUTH=LOGIN PLAIN',
  ])
  assert.equal(caps.serverName, 'mx.example.com')
  assert.equal(caps.pipelining, true)
  assert.equal(caps.size, 35882577)
  assert.equal(caps.eightBitMime, true)
  assert.equal(caps.startTls, true)
  assert.equal(caps.dsn, true)
  assert.equal(caps.smtputf8, true)
  assert.equal(caps.chunking, true)
  assert.equal(caps.requireTls, false)
  assert.deepEqual(caps.keywords.get('AUTH'), ['LOGIN', 'PLAIN'])
})

test('SIZE without a number (or 0) means no fixed limit; no SIZE is undefined', () => {
  assert.equal(parseEhlo(['x', 'SIZE']).size, 0)
  assert.equal(parseEhlo(['x', 'SIZE 0']).size, 0)
  assert.equal(parseEhlo(['x', 'SIZE junk']).size, 0)
  assert.equal(parseEhlo(['x']).size, undefined)
})

test('HELO: no extensions; malformed keyword lines are ignored', () => {
  const caps = heloCapabilities('old.example')
  assert.equal(caps.pipelining, false)
  assert.equal(caps.keywords.size, 0)
  assert.equal(parseEhlo(['x', '', '-bad', 'ok-1']).keywords.size, 1)
})
