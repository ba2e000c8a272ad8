// A linear, bounded HTML scan for the spam rules: the visible text, the links with their
// anchor text, and the text a reader cannot see (display:none, visibility:hidden, font-size 0,
// text coloured like its background). Not a full HTML parser: one pass over tags and text,
// at most MAX_TAGS tags, each tag at most MAX_TAG_CHARS long.

export interface HtmlLink {
  href: string
  /** Visible text inside the <a> element (whitespace collapsed, capped). */
  text: string
}

export interface HtmlScan {
  text: string
  links: HtmlLink[]
  /** Text inside elements styled to be invisible. */
  hiddenText: string
  /** Number of <img> tags. */
  images: number
}

const MAX_TAGS = 20_000
const MAX_TAG_CHARS = 4_000
const MAX_ANCHOR_TEXT = 300
/** Elements that break a line or a cell: their text never runs on into the next. */
const BLOCK = new Set([
  'br',
  'p',
  'div',
  'td',
  'th',
  'tr',
  'li',
  'ul',
  'ol',
  'table',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'hr',
  'center',
  'blockquote',
  'pre',
  'img',
  'dt',
  'dd',
])
const VOID = new Set(['br', 'img', 'hr', 'meta', 'link', 'input', 'wbr', 'area', 'base', 'col'])

const ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  shy: '\u00ad',
  zwnj: '\u200c',
  zwj: '\u200d',
  copy: '©',
  reg: '®',
  euro: '€',
  pound: '£',
}

export function decodeEntities(text: string): string {
  if (!text.includes('&')) return text
  return text.replace(/&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z]{2,8});/gi, (m, e: string) => {
    if (e.startsWith('#')) {
      const hex = e[1] === 'x' || e[1] === 'X'
      const n = hex ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10)
      return Number.isFinite(n) && n > 0 && n < 0x110000 ? String.fromCodePoint(n) : ' '
    }
    return ENTITIES[e.toLowerCase()] ?? m
  })
}

const ATTR = /([a-z_:][-a-z0-9_:.]*)\s*(?:=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?/gi

function attributes(tag: string): Map<string, string> {
  const out = new Map<string, string>()
  const space = tag.search(/[\s/]/)
  if (space === -1) return out
  for (const m of tag.slice(space).matchAll(ATTR)) {
    const name = (m[1] ?? '').toLowerCase()
    if (!out.has(name)) out.set(name, decodeEntities(m[2] ?? m[3] ?? m[4] ?? ''))
  }
  return out
}

/** Normalised colour for comparison: "#fff" -> "#ffffff", names of white/black kept. */
function colour(value: string | undefined): string | undefined {
  if (value === undefined) return undefined
  const v = value
    .trim()
    .toLowerCase()
    .replace(/\s*!important$/, '')
  if (/^#[0-9a-f]{3}$/.test(v)) return v.replace(/^#(.)(.)(.)$/, '#$1$1$2$2$3$3')
  if (v === 'white') return '#ffffff'
  if (v === 'black') return '#000000'
  const rgb = /^rgba?\(\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})/.exec(v)
  if (rgb) {
    return `#${[rgb[1], rgb[2], rgb[3]].map((n) => Number(n).toString(16).padStart(2, '0')).join('')}`
  }
  return v
}

function styleProps(style: string): Map<string, string> {
  const out = new Map<string, string>()
  for (const decl of style.split(';').slice(0, 50)) {
    const colon = decl.indexOf(':')
    if (colon > 0) out.set(decl.slice(0, colon).trim().toLowerCase(), decl.slice(colon + 1).trim())
  }
  return out
}

interface Frame {
  name: string
  hidden: boolean
  background: string | undefined
}

/** Whether an element's own attributes make its content invisible against `background`. */
function isInvisible(attrs: Map<string, string>, background: string | undefined): boolean {
  if (attrs.has('hidden')) return true
  const style = styleProps(attrs.get('style') ?? '')
  const display = style.get('display')?.toLowerCase()
  if (display !== undefined && /^none\b/.test(display)) return true
  if (/^hidden\b/.test(style.get('visibility')?.toLowerCase() ?? '')) return true
  const size = style.get('font-size')
  if (size !== undefined && /^0*(\.0*)?\s*(px|pt|em|rem|%)?\s*(!important)?$/i.test(size))
    return true
  if (/^0*(\.0+)?$/.test(style.get('opacity') ?? 'x')) return true
  const fg = colour(style.get('color') ?? attrs.get('color'))
  return fg !== undefined && background !== undefined && fg === background
}

function backgroundOf(attrs: Map<string, string>): string | undefined {
  const style = styleProps(attrs.get('style') ?? '')
  return colour(style.get('background-color') ?? style.get('background') ?? attrs.get('bgcolor'))
}

export function scanHtml(html: string): HtmlScan {
  const text: string[] = []
  const hidden: string[] = []
  const links: HtmlLink[] = []
  const stack: Frame[] = [{ name: '#root', hidden: false, background: '#ffffff' }]
  let anchor: { href: string; text: string } | undefined
  let images = 0
  let at = 0
  let skipUntil: string | undefined // inside <script>/<style>
  for (let tags = 0; at < html.length && tags < MAX_TAGS; tags++) {
    const lt = html.indexOf('<', at)
    const chunk = decodeEntities(html.slice(at, lt === -1 ? html.length : lt))
    const top = stack[stack.length - 1]
    if (skipUntil === undefined && chunk !== '' && chunk.trim() === '') text.push(' ')
    else if (skipUntil === undefined && chunk !== '') {
      text.push(chunk)
      if (top?.hidden === true) hidden.push(chunk)
      if (anchor !== undefined && anchor.text.length < MAX_ANCHOR_TEXT) anchor.text += chunk
    }
    if (lt === -1) break
    let gt = html.indexOf('>', lt)
    if (gt === -1 || gt - lt > MAX_TAG_CHARS) gt = Math.min(html.length - 1, lt + MAX_TAG_CHARS)
    const tag = html.slice(lt + 1, gt)
    at = gt + 1
    if (tag.startsWith('!')) continue // comment or doctype (a comment's '>' inside is rare)
    const closing = tag.startsWith('/')
    const name = (/^\/?\s*([a-z][a-z0-9]*)/i.exec(tag)?.[1] ?? '').toLowerCase()
    if (name === '') continue
    if (skipUntil !== undefined) {
      if (closing && name === skipUntil) skipUntil = undefined
      continue
    }
    if (closing) {
      if (BLOCK.has(name)) text.push(' ')
      if (name === 'a' && anchor !== undefined) {
        links.push({ href: anchor.href, text: anchor.text.replace(/\s+/g, ' ').trim() })
        anchor = undefined
      }
      const index = stack.findLastIndex((f) => f.name === name)
      if (index > 0) stack.length = index
      continue
    }
    if (name === 'script' || name === 'style' || name === 'title') {
      skipUntil = name
      continue
    }
    const attrs = attributes(tag)
    if (name === 'img') images++
    if (BLOCK.has(name)) text.push(' ')
    if (name === 'a' && attrs.has('href')) {
      if (anchor !== undefined) links.push({ href: anchor.href, text: anchor.text.trim() })
      anchor = { href: (attrs.get('href') ?? '').trim(), text: '' }
    }
    if (VOID.has(name) || tag.endsWith('/')) continue
    const parent = stack[stack.length - 1] ?? { hidden: false, background: undefined }
    const background = backgroundOf(attrs) ?? parent.background
    const hiddenHere = parent.hidden || isInvisible(attrs, background)
    if (stack.length < 512) stack.push({ name, hidden: hiddenHere, background })
  }
  if (anchor !== undefined) links.push({ href: anchor.href, text: anchor.text.trim() })
  // Inline tags and comments join their neighbours as a browser shows them ("V<b>i</b>agra").
  return { text: text.join(''), links, hiddenText: hidden.join(' '), images }
}
