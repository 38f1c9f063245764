// The bridge between an article's Markdown and the rich view, built so that
// the editor never changes text it was not asked to change.
//
// The Markdown is parsed once with positions. Each top-level block of it
// becomes one top-level ProseMirror node, and the node object is remembered
// with the exact slice of source it came from. ProseMirror shares every
// unchanged node between documents, so when the view is written back a node
// that is still the same object (or equal to an original one) gives back its
// original bytes, and only new or edited blocks are serialised by Milkdown.
//
// A block Milkdown cannot represent faithfully (reference links and their
// definitions, raw HTML, anything whose Markdown would not read back the
// same) becomes a "source" node: its Markdown shown and edited as text.

import { ParserState } from '@milkdown/kit/transformer'
import { figureFromMdast, figureMarkdown, embedFromMdast, pullquoteFromMdast, PULLQUOTE } from './blocks.js'

// Node types no Milkdown parser knows, or that it would turn into something
// else (a reference link into an inline one), or that goldmark renders
// differently from what the view would show (raw HTML is left out).
const UNSUPPORTED = new Set(['definition', 'linkReference', 'imageReference', 'html', 'yaml', 'toml', 'math', 'inlineMath'])

export class Source {
  constructor(schema, remark, serialize) {
    this.schema = schema
    this.remark = remark
    this.serializer = serialize
    this.origins = new Map() // node → {index, src}
    this.originals = [] // node per original block
    this.seps = [] // seps[i]: the text between block i and i+1
    this.leading = ''
    this.trailing = ''
    this.context = ''
    this.contextBlocks = 0
  }

  // parse turns md into a document, remembering where each block came from.
  parse(md) {
    this.origins = new Map()
    this.originals = []
    this.seps = []
    const tree = this.remark.parse(md)
    const blocks = tree.children.filter((b) => b.position)
    // Footnote and link references mean what they mean only beside their
    // definitions: a block written back is read again beside stand-ins.
    const defs = blocks.filter((b) => b.type === 'footnoteDefinition' || b.type === 'definition')
    this.contextBlocks = defs.length
    this.context = defs.map((d) => '\n\n[' + (d.type === 'footnoteDefinition' ? '^' : '') + d.label + ']: ' + (d.type === 'definition' ? '/x' : 'x')).join('')
    const nodes = []
    this.leading = blocks.length ? md.slice(0, off(blocks[0], 'start')) : ''
    this.trailing = blocks.length ? md.slice(off(blocks[blocks.length - 1], 'end')) : md
    blocks.forEach((b, i) => {
      const src = md.slice(off(b, 'start'), off(b, 'end'))
      if (i + 1 < blocks.length) this.seps.push(md.slice(off(b, 'end'), off(blocks[i + 1], 'start')))
      const node = this.block(b, src, md)
      this.origins.set(node, { index: i, src })
      this.originals.push(node)
      nodes.push(node)
    })
    if (!nodes.length) nodes.push(this.schema.nodes.paragraph.create())
    return this.schema.topNodeType.create(null, nodes)
  }

  // block converts one top-level mdast block whose source is src.
  block(b, src, md) {
    const s = this.schema
    const embed = embedFromMdast(b, src)
    if (embed) return s.nodes.embed.create({ url: embed })
    if (has(b, (n) => UNSUPPORTED.has(n.type))) return this.opaque(src)
    let node = null
    const fig = figureFromMdast(b)
    const pq = pullquoteFromMdast(b)
    if (fig) {
      const caption = fig.captionRange ? this.inline(md.slice(...fig.captionRange)) : []
      if (caption) node = s.nodes.figure.create({ images: fig.images }, caption)
    } else if (pq) {
      const inner = this.convert(pq, md)
      if (inner && inner.type.name === 'blockquote') node = s.nodes.pullquote.create(null, inner.content)
    } else {
      node = this.convert(b, md)
    }
    if (node && this.faithful(b, node)) return node
    return this.opaque(src)
  }

  opaque(src) {
    return this.schema.nodes.md_source.create(null, src ? this.schema.text(src) : null)
  }

  // convert runs Milkdown's parser on one mdast block, or returns null.
  convert(b, md) {
    const tree = this.remark.runSync({ type: 'root', children: [structuredClone(b)] }, md)
    let doc
    const failed = quietly(() => {
      doc = new ParserState(this.schema).next(tree).toDoc()
    })
    if (failed || !doc || doc.childCount !== 1) return null
    return doc.firstChild
  }

  // inline parses a caption's Markdown into inline nodes, or null when it
  // would not be a plain paragraph. The whole figure is checked afterwards.
  inline(md) {
    const text = md + this.context
    const blocks = this.remark.parse(text).children
    const p = blocks[0]
    if (blocks.length !== 1 + this.contextBlocks || p.type !== 'paragraph' || has(p, (n) => UNSUPPORTED.has(n.type))) return null
    const node = this.convert(p, text)
    if (!node || node.type.name !== 'paragraph') return null
    const out = []
    node.content.forEach((c) => out.push(c))
    return out
  }

  // faithful says whether node, written back as Markdown, reads as the
  // same tree as the block it came from.
  faithful(b, node) {
    let out
    if (quietly(() => { out = this.text(node) })) return false
    const back = this.remark.parse(out + this.context).children
    if (back.length !== 1 + this.contextBlocks) return false
    const pq = (x) => (x.type === 'blockquote' && pullquoteFromMdast(x)) || x
    return norm(pq(b)) === norm(pq(back[0]))
  }

  // text is Milkdown's Markdown for one top-level node, without the final
  // newline.
  text(node) {
    switch (node.type.name) {
      case 'md_source':
        return node.textContent
      case 'figure':
        return figureMarkdown(node, (inl) => this.text(this.schema.nodes.paragraph.create(null, inl)))
      case 'embed':
        return node.attrs.url
      case 'pullquote': {
        const q = this.text(this.schema.nodes.blockquote.create(null, node.content))
        return '> ' + PULLQUOTE + '\n' + q
      }
    }
    const doc = this.schema.topNodeType.create(null, [node])
    return this.serializer(doc).replace(/\n+$/, '')
  }

  // markdown writes doc back: original bytes for every block that is still
  // what it was, Milkdown's Markdown for the others.
  markdown(doc) {
    const first = doc.firstChild
    if (doc.childCount === 1 && first.type.name === 'paragraph' && !first.content.size && !this.origins.has(first)) {
      return this.originals.length ? '' : this.leading + this.trailing
    }
    // Which original block each node still is, if any.
    const used = new Set()
    const at = []
    doc.forEach((node) => {
      let o = this.origins.get(node)
      if (o && used.has(o.index)) o = null
      at.push(o ? o.index : -1)
      if (o) used.add(o.index)
    })
    doc.forEach((node, _, i) => {
      if (at[i] < 0) {
        const o = this.equal(node, used)
        if (o >= 0) {
          at[i] = o
          used.add(o)
        }
      }
    })
    // Between two blocks: the original separator where they were
    // neighbours, or where an edited block stands in the place of one that
    // is gone; a blank line otherwise.
    const sep = (p, q) => {
      if (p >= 0 && (q === p + 1 || (q < 0 && !used.has(p + 1)))) return this.seps[p] ?? '\n\n'
      if (q > 0 && p < 0 && !used.has(q - 1)) return this.seps[q - 1]
      return '\n\n'
    }
    const parts = [this.leading]
    let prev = null
    doc.forEach((node, _, i) => {
      // A new empty paragraph (Enter pressed twice) writes nothing.
      if (at[i] < 0 && node.type.name === 'paragraph' && !node.content.size) return
      if (prev !== null) parts.push(sep(prev, at[i]))
      parts.push(at[i] >= 0 ? this.origins.get(this.originals[at[i]]).src : this.text(node))
      prev = at[i]
    })
    parts.push(this.trailing)
    return parts.join('')
  }

  // equal finds an unused original block equal to node: a block edited and
  // then edited back keeps its original bytes too.
  equal(node, used) {
    for (let i = 0; i < this.originals.length; i++) {
      if (!used.has(i) && this.originals[i].eq(node)) return i
    }
    return -1
  }
}

function off(node, end) {
  return node.position[end].offset
}

function has(node, pred) {
  if (pred(node)) return true
  return (node.children || []).some((c) => has(c, pred))
}

// norm is a tree's shape without positions, its adjacent texts merged, so
// two trees that render the same compare equal.
function norm(tree) {
  const strip = (n) => {
    const o = {}
    for (const k of Object.keys(n).sort()) {
      if (k === 'position' || k === 'data' || k === 'children') continue
      o[k] = n[k]
    }
    if (n.children) {
      const kids = []
      for (const c of n.children.map(strip)) {
        const last = kids[kids.length - 1]
        if (last && last.type === 'text' && c.type === 'text') last.value += c.value
        else kids.push(c)
      }
      o.children = kids
    }
    return o
  }
  return JSON.stringify(strip(tree))
}

// quietly runs fn and reports whether it failed. Milkdown's parser logs
// what it cannot build and goes on; here that is a block to keep as source.
function quietly(fn) {
  const log = console.error
  let failed = false
  console.error = () => { failed = true }
  try {
    fn()
  } catch (e) {
    failed = true
  } finally {
    console.error = log
  }
  return failed
}
