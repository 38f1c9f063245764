// The blocks the newsroom's Markdown has beyond CommonMark and GFM, as
// ProseMirror nodes: figures and galleries, embeds, pull quotes, and the
// Markdown kept as source. Each is recognised in the parsed Markdown by
// source.js and written back here, in the forms docs/writing.md describes.

import { $node } from '@milkdown/kit/utils'
import { w } from './words.js'

// PULLQUOTE is the first line of a quote that is a pull quote:
//
//   > [!pullquote]
//   > The harbour is designed to be a refuge.
export const PULLQUOTE = '[!pullquote]'

// figureFromMdast recognises a figure: one or more image lines, each alone
// on its line, then the caption's lines, all in one paragraph.
//
//   ![Alt text](/media/27/1200.jpg "Credit")
//   The caption.
export function figureFromMdast(b) {
  if (b.type !== 'paragraph') return null
  const kids = b.children
  const images = []
  let i = 0
  for (; i < kids.length; i += 2) {
    const img = kids[i]
    if (img.type !== 'image') return null
    images.push({ src: img.url, alt: img.alt || '', title: img.title || '' })
    const next = kids[i + 1]
    if (!next) return { images, caption: '' }
    if (next.type !== 'text' || next.value[0] !== '\n') return null
    if (next.value !== '\n' || kids[i + 2]?.type !== 'image') {
      // The caption starts after this line break.
      const start = next.position.start.offset + 1
      const end = b.position.end.offset
      return { images, caption: null, captionRange: [start, end] }
    }
  }
  return { images, caption: '' }
}

// imageMarkdown writes one image of a figure.
export function imageMarkdown(img) {
  const alt = img.alt.replace(/[\\[\]]/g, '\\$&')
  let url = img.src
  if (/[\s()<>]/.test(url)) url = '<' + url.replace(/[<>]/g, encodeURIComponent) + '>'
  const title = img.title ? ' "' + img.title.replace(/["\\]/g, '\\$&') + '"' : ''
  return '![' + alt + '](' + url + title + ')'
}

// figureMarkdown writes a figure node; caption turns its inline content
// into Markdown.
export function figureMarkdown(node, caption) {
  const lines = node.attrs.images.map(imageMarkdown)
  if (node.content.size) {
    const inl = []
    node.content.forEach((c) => inl.push(c))
    lines.push(caption(inl))
  }
  return lines.join('\n')
}

// embedFromMdast recognises a paragraph that is one web address alone, which
// the server turns into an embed when it knows the provider.
export function embedFromMdast(b, src) {
  if (b.type !== 'paragraph' || b.children.length !== 1) return null
  const a = b.children[0]
  if (a.type !== 'link' || a.children.length !== 1 || a.children[0].value !== a.url) return null
  if (src !== a.url || !/^https?:\/\/\S+$/.test(src)) return null
  return a.url
}

// isEmbedURL says whether text, pasted alone, is an address to embed.
export function isEmbedURL(text) {
  return /^https?:\/\/[^\s<>"]+$/.test(text)
}

// pullquoteFromMdast returns the quote without its marker if b is a pull
// quote, or null.
export function pullquoteFromMdast(b) {
  if (b.type !== 'blockquote') return null
  const p = b.children[0]
  if (!p || p.type !== 'paragraph') return null
  const t = p.children[0]
  if (!t || t.type !== 'text' || !t.value.startsWith(PULLQUOTE)) return null
  const rest = t.value.slice(PULLQUOTE.length)
  if (rest !== '' && rest[0] !== '\n') return null
  if (rest === '' && p.children.length > 1) return null
  const q = structuredClone(b)
  const qp = q.children[0]
  if (rest === '') {
    q.children.shift()
  } else {
    qp.children[0].value = rest.slice(1)
    // The paragraph now starts a line later.
    const pos = qp.children[0].position
    if (pos) {
      pos.start.offset += PULLQUOTE.length + 1
      qp.position.start.offset = pos.start.offset
    }
  }
  return q
}

// rawMarkdown makes a node that the serialiser writes out verbatim, for the
// custom nodes when they sit inside a list or a quote.
function raw(state, value) {
  state.addNode('html', undefined, value)
}

function images(dom) {
  return [...dom.querySelectorAll('img[src]')].map((img) => ({
    src: img.getAttribute('src'),
    alt: img.getAttribute('alt') || '',
    title: img.getAttribute('title') || '',
  }))
}

export const figureNode = $node('figure', () => ({
  group: 'block',
  content: 'inline*',
  defining: true,
  isolating: true,
  draggable: true,
  attrs: { images: { default: [] } },
  parseDOM: [
    {
      tag: 'figure',
      contentElement: 'figcaption',
      getAttrs: (dom) => {
        const imgs = images(dom)
        return imgs.length ? { images: imgs } : false
      },
    },
  ],
  toDOM: (node) => [
    'figure',
    { class: node.attrs.images.length > 1 ? 'gallery' : 'figure' },
    ['div', { class: 'figure-images', contenteditable: 'false' }, ...node.attrs.images.map((img) => ['img', { src: img.src, alt: img.alt, title: img.title }])],
    ['figcaption', 0],
  ],
  parseMarkdown: { match: () => false, runner: () => {} },
  toMarkdown: {
    match: (node) => node.type.name === 'figure',
    runner: (state, node) => {
      // Nested figures lose nothing but the caption's marks' exact spelling.
      raw(state, figureMarkdown(node, (inl) => inl.map((n) => n.textContent).join('')))
    },
  },
}))

export const embedNode = $node('embed', () => ({
  group: 'block',
  atom: true,
  selectable: true,
  draggable: true,
  attrs: { url: { default: '' } },
  parseDOM: [{ tag: 'div[data-embed]', getAttrs: (dom) => ({ url: dom.getAttribute('data-embed') }) }],
  toDOM: (node) => ['div', { class: 'embed-card', 'data-embed': node.attrs.url, 'data-label': w('embed') }, node.attrs.url],
  parseMarkdown: { match: () => false, runner: () => {} },
  toMarkdown: { match: (node) => node.type.name === 'embed', runner: (state, node) => raw(state, node.attrs.url) },
}))

export const sourceNode = $node('md_source', () => ({
  group: 'block',
  content: 'text*',
  marks: '',
  code: true,
  defining: true,
  isolating: true,
  parseDOM: [{ tag: 'pre.md-source', preserveWhitespace: 'full' }],
  toDOM: () => ['pre', { class: 'md-source', spellcheck: 'false', title: w('source'), dir: 'auto' }, ['code', 0]],
  parseMarkdown: { match: () => false, runner: () => {} },
  toMarkdown: { match: (node) => node.type.name === 'md_source', runner: (state, node) => raw(state, node.textContent) },
}))

export const pullquoteNode = $node('pullquote', () => ({
  group: 'block',
  content: 'block+',
  defining: true,
  parseDOM: [{ tag: 'blockquote.pullquote' }],
  toDOM: () => ['blockquote', { class: 'pullquote', 'data-label': w('pullquote') }, 0],
  parseMarkdown: { match: () => false, runner: () => {} },
  toMarkdown: {
    match: (node) => node.type.name === 'pullquote',
    runner: (state, node) => {
      state.openNode('blockquote')
      raw(state, PULLQUOTE)
      state.next(node.content)
      state.closeNode()
    },
  },
}))
