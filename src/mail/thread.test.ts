// Table tests for RFC 5256 4 ORDEREDSUBJECT and REFERENCES and the RFC 5256 5 thread-list.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { asciiCasemap, baseSubject } from './base-subject.ts'
import { formatThreads, threadOrderedSubject, threadReferences } from './thread.ts'
import type { ThreadItem } from './thread.ts'

interface Spec {
  subject?: string
  day: number
  id?: string
  refs?: string[]
  inReplyTo?: string
}

function items(specs: Spec[]): ThreadItem[] {
  return specs.map((s, i) => {
    const b = baseSubject(s.subject ?? 'x')
    return {
      id: i + 1,
      facts: {
        date: s.day * 86_400_000,
        subject: asciiCasemap(b.base),
        isReplyOrForward: b.isReplyOrForward,
        messageId: s.id,
        references: s.refs ?? [],
        inReplyTo: s.inReplyTo,
      },
    }
  })
}

void test('ORDEREDSUBJECT: grouped by base subject, flat, threads by first date', () => {
  const list = items([
    { subject: 'b', day: 5 },
    { subject: 'Re: a', day: 3 },
    { subject: 'a', day: 1 },
    { subject: 'Re: B', day: 2 },
    { subject: 'c', day: 4 },
    { subject: 'fwd: a', day: 7 },
  ])
  assert.equal(formatThreads(threadOrderedSubject(list)), '(3 (2)(6))(4 1)(5)')
  assert.equal(formatThreads(threadOrderedSubject([])), '')
})

void test('REFERENCES: links, In-Reply-To fallback, dummies, loops, duplicates', () => {
  const list = items([
    { subject: 'root', day: 1, id: 'a' },
    { subject: 'Re: root', day: 2, id: 'b', refs: ['a'] },
    { subject: 'Re: root', day: 3, id: 'c', refs: ['a', 'b'] },
    { subject: 'Re: root', day: 4, id: 'd', inReplyTo: 'b' },
    { subject: 'other', day: 5, id: 'e', refs: ['missing1'] },
    { subject: 'Re: lost', day: 6, id: 'f', refs: ['missing2'] },
    { subject: 'Re: lost', day: 7, id: 'g', refs: ['missing2'] },
    { subject: 'loop', day: 8, id: 'h', refs: ['i'] },
    { subject: 'loop', day: 9, id: 'i', refs: ['h'] },
    { subject: 'dup', day: 10, id: 'a' },
  ])
  // 1-4: a tree; 5: a dummy with one child is promoted to the root; 6-7: a dummy parent with
  // two children stays; 8-9: 8 made 9 its parent, so 9's link to 8 would make a loop; 10: a duplicate Message-ID.
  assert.equal(formatThreads(threadReferences(list)), '(1 2 (3)(4))(5)((6)(7))(9 8)(10)')
})

void test('REFERENCES step 5: top-level threads merged by base subject', () => {
  const list = items([
    { subject: 'Hello', day: 1, id: 'a' },
    { subject: 'Re: Hello', day: 2, id: 'b' }, // reply without references: child of 1
    { subject: 'Topic', day: 3, id: 'c' },
    { subject: 'Topic', day: 4, id: 'd' }, // neither a reply: a new dummy holds both
    { subject: 'Re: Lost', day: 5, id: 'e', refs: ['z'] },
    { subject: 'Re: Lost', day: 6, id: 'f', refs: ['z'] },
    { subject: 'Lost', day: 7, id: 'g' }, // joins the dummy of 5-6
    { subject: '', day: 8, id: 'h' },
    { subject: '', day: 9, id: 'i' }, // empty subjects are never merged
  ])
  assert.equal(formatThreads(threadReferences(list)), '(1 2)((3)(4))((5)(6)(7))(8)(9)')
})

void test('REFERENCES: the last reference wins over an earlier parent; siblings by date', () => {
  const list = items([
    { subject: 's', day: 1, id: 'a' },
    { subject: 't', day: 9, id: 'b' },
    { subject: 'u', day: 3, id: 'c', refs: ['a'] },
    { subject: 'v', day: 2, id: 'd', refs: ['a'] },
    { subject: 'w', day: 4, id: 'e', refs: ['b', 'c'] }, // c keeps parent a
  ])
  assert.equal(formatThreads(threadReferences(list)), '(1 (4)(3 5))(2)')
})
