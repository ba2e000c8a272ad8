// Tests the shape of the event catalogue.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { EVENTS } from './events.ts'

void test('event names follow <area>.<kebab-event>', () => {
  for (const name of Object.keys(EVENTS)) assert.match(name, /^[a-z][a-z0-9]*\.[a-z]+(-[a-z]+)*$/)
})
