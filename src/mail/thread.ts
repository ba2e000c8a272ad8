// The THREAD algorithms of RFC 5256 4: ORDEREDSUBJECT (threads of equal base subject, flat, by
// sent date) and REFERENCES (parent/child links from Message-ID, References and In-Reply-To,
// dummy parents pruned, top-level threads of equal base subject merged, siblings by sent
// date), and the thread-list syntax of RFC 5256 5 ("(1 2)(3 (4)(5))").

import type { SortFacts } from './sort-keys.ts'

export type ThreadFacts = Pick<
  SortFacts,
  'date' | 'subject' | 'isReplyOrForward' | 'messageId' | 'references' | 'inReplyTo'
>

/** One message to thread; `items` passed to the algorithms must be in mailbox order. */
export interface ThreadItem {
  /** What the response shows: sequence number or UID. */
  id: number
  facts: ThreadFacts
}

/** A thread node; `item` is undefined for a dummy (a message not in the set). */
export interface ThreadNode {
  item: ThreadItem | undefined
  children: ThreadNode[]
}

interface Dated {
  date: number
  index: number
}

/** RFC 5256 2.2 / 4: by sent date, then sequence (mailbox) order. */
function byDate(order: Map<ThreadItem, number>): (a: ThreadNode, b: ThreadNode) => number {
  const key = (n: ThreadNode): Dated => {
    const item = n.item ?? n.children[0]?.item // a dummy sorts as its first child
    return item === undefined
      ? { date: 0, index: 0 }
      : { date: item.facts.date, index: order.get(item) ?? 0 }
  }
  return (a, b) => {
    const x = key(a)
    const y = key(b)
    return x.date - y.date || x.index - y.index
  }
}

function positions(items: readonly ThreadItem[]): Map<ThreadItem, number> {
  return new Map(items.map((item, i) => [item, i]))
}

/**
 * RFC 5256 4 ORDEREDSUBJECT: sort by base subject then sent date; each run of equal subjects
 * is a thread whose first message is the parent of all the others; threads by the sent date
 * of their first message.
 */
export function threadOrderedSubject(items: readonly ThreadItem[]): ThreadNode[] {
  const order = positions(items)
  const sorted = [...items].sort(
    (a, b) =>
      (a.facts.subject < b.facts.subject ? -1 : a.facts.subject > b.facts.subject ? 1 : 0) ||
      a.facts.date - b.facts.date ||
      (order.get(a) ?? 0) - (order.get(b) ?? 0),
  )
  const threads: ThreadNode[] = []
  let current: ThreadNode | undefined
  for (const item of sorted) {
    if (current?.item?.facts.subject === item.facts.subject) {
      current.children.push({ item, children: [] })
    } else {
      current = { item, children: [] }
      threads.push(current)
    }
  }
  return threads.sort(byDate(order))
}

interface Container {
  item: ThreadItem | undefined
  parent: Container | undefined
  children: Container[]
}

function isDescendant(a: Container, b: Container): boolean {
  for (let p: Container | undefined = a; p !== undefined; p = p.parent) if (p === b) return true
  return false
}

function unlink(c: Container): void {
  const parent = c.parent
  if (parent === undefined) return
  parent.children = parent.children.filter((x) => x !== c)
  c.parent = undefined
}

/** Makes `parent` the parent of `child` unless that would make a loop (RFC 5256 4 step 1). */
function link(parent: Container, child: Container): void {
  if (isDescendant(parent, child)) return
  child.parent = parent
  parent.children.push(child)
}

/** REFERENCES step 1: containers for messages and the IDs they reference, linked. */
function buildContainers(items: readonly ThreadItem[]): Container[] {
  const byId = new Map<string, Container>()
  const all: Container[] = []
  const get = (id: string): Container => {
    let c = byId.get(id)
    if (c === undefined) {
      c = { item: undefined, parent: undefined, children: [] } // a dummy until its message comes
      byId.set(id, c)
      all.push(c)
    }
    return c
  }
  items.forEach((item, i) => {
    // 1(A): no Message-ID, or a duplicate of an earlier message's: a unique one (Message-IDs
    // compare case-sensitively).
    const id = item.facts.messageId
    const known = id === undefined ? undefined : byId.get(id)
    const own = id === undefined || known?.item !== undefined ? get(`\u0000${String(i)}`) : get(id)
    own.item = item
    // No usable References: the first Message ID of In-Reply-To.
    const inReplyTo = item.facts.inReplyTo
    const refs =
      item.facts.references.length > 0
        ? item.facts.references
        : inReplyTo === undefined
          ? []
          : [inReplyTo]
    let prev: Container | undefined
    for (const ref of refs) {
      const c = get(ref)
      // An existing parent is kept (References may have been truncated).
      if (prev !== undefined && c.parent === undefined) link(prev, c)
      prev = c
    }
    // 1(B): the last reference is the parent, replacing any earlier link.
    unlink(own)
    if (prev !== undefined) link(prev, own)
  })
  return all
}

/** REFERENCES step 3: drop childless dummies, promote dummies' children (not to the root,
 * unless there is just one). */
function prune(list: Container[], isRoot: boolean): Container[] {
  const out: Container[] = []
  for (const c of list) {
    c.children = prune(c.children, false)
    if (c.item !== undefined) out.push(c)
    else if (c.children.length === 0) continue
    else if (!isRoot || c.children.length === 1) {
      for (const child of c.children) child.parent = c.parent
      out.push(...c.children)
    } else out.push(c)
  }
  return out
}

function toNode(c: Container): ThreadNode {
  return { item: c.item, children: c.children.map(toNode) }
}

function sortTree(nodes: ThreadNode[], cmp: (a: ThreadNode, b: ThreadNode) => number): void {
  for (const n of nodes) sortTree(n.children, cmp)
  nodes.sort(cmp)
}

/** The subject of a top-level thread: a dummy's is its first child's (step 5.B). */
function threadSubject(n: ThreadNode): ThreadItem | undefined {
  return n.item ?? n.children[0]?.item
}

/** REFERENCES step 5: merge top-level threads with the same base subject. */
function mergeSubjects(roots: (ThreadNode | undefined)[]): void {
  const table = new Map<string, number>() // subject -> slot in roots
  roots.forEach((n, i) => {
    const s = n === undefined ? undefined : threadSubject(n)
    if (n === undefined || s === undefined || s.facts.subject === '') return
    const slot = table.get(s.facts.subject)
    const old = slot === undefined ? undefined : roots[slot]
    // 5.C: prefer a dummy, then a message that is not a reply or forward.
    const isBetter =
      old === undefined ||
      (n.item === undefined && old.item !== undefined) ||
      (old.item?.facts.isReplyOrForward === true && n.item?.facts.isReplyOrForward === false)
    if (isBetter) table.set(s.facts.subject, i)
  })
  roots.forEach((cur, i) => {
    const s = cur === undefined ? undefined : threadSubject(cur)
    if (cur === undefined || s === undefined || s.facts.subject === '') return
    const slot = table.get(s.facts.subject)
    const old = slot === undefined ? undefined : roots[slot]
    if (slot === undefined || old === undefined || slot === i) return
    // 5.D
    if (old.item === undefined && cur.item === undefined) old.children.push(...cur.children)
    else if (old.item === undefined) old.children.push(cur)
    else if (cur.item?.facts.isReplyOrForward === true && !old.item.facts.isReplyOrForward) {
      old.children.push(cur)
    } else roots[slot] = { item: undefined, children: [old, cur] }
    roots[i] = undefined
  })
}

/** RFC 5256 4 REFERENCES, steps 1-6. */
export function threadReferences(items: readonly ThreadItem[]): ThreadNode[] {
  const order = positions(items)
  const cmp = byDate(order)
  const containers = buildContainers(items)
  // Step 2: the root set; step 3: pruning.
  const roots = prune(
    containers.filter((c) => c.parent === undefined),
    true,
  ).map(toNode)
  // Step 4: top level by sent date (a dummy's children first, then its first child).
  for (const n of roots) if (n.item === undefined) n.children.sort(cmp)
  roots.sort(cmp)
  const slots: (ThreadNode | undefined)[] = roots
  mergeSubjects(slots)
  const merged = slots.filter((n): n is ThreadNode => n !== undefined)
  // Step 6: every set of siblings by sent date, depth first.
  sortTree(merged, cmp)
  return merged
}

/** RFC 5256 5 thread-list: a single child continues the line, two or more are nested. */
export function formatThreads(threads: readonly ThreadNode[]): string {
  return threads.map((t) => `(${formatNode(t)})`).join('')
}

function formatNode(n: ThreadNode): string {
  const nested =
    n.children.length === 1 && n.item !== undefined
      ? formatNode(n.children[0] as ThreadNode)
      : n.children.map((c) => `(${formatNode(c)})`).join('')
  if (n.item === undefined) return nested
  return nested === '' ? String(n.item.id) : `${String(n.item.id)} ${nested}`
}
