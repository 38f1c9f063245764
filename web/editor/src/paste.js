// What Word and Google Docs put on the clipboard, cleaned to its structure
// before ProseMirror reads it: headings, paragraphs, lists, bold, italic,
// links and tables stay; fonts, colours, classes, spans and the wrappers
// those programs add go.

const DROP = 'style, meta, link, script, title, xml, o\\:p, colgroup, col, head'

// cleanPastedHTML returns the clipboard's HTML with only what the article's
// Markdown can hold.
export function cleanPastedHTML(html) {
  // Stylesheets go, and style attributes are read as data: parsed as
  // style, the page's CSP would refuse (and report) each one.
  html = html.replace(/<style[\s\S]*?<\/style\s*>/gi, '').replace(/<[a-zA-Z][^>]*>/g, (tag) => tag.replace(/(\s)style\s*=/gi, '$1data-style='))
  const doc = new DOMParser().parseFromString(html, 'text/html')
  const root = doc.body
  root.querySelectorAll(DROP).forEach((el) => el.remove())
  removeComments(root)
  // Google Docs wraps everything in <b id="docs-internal-guid-…"
  // style="font-weight:normal">, which is not bold.
  root.querySelectorAll('b[id^="docs-internal-guid"]').forEach(unwrap)
  // Line breaks between blocks (Google Docs puts one before a table and
  // one after everything) are not paragraphs.
  root.querySelectorAll('br').forEach((br) => {
    if (br.classList.contains('Apple-interchange-newline') || !br.closest('p, li, td, th, h1, h2, h3, h4, h5, h6, blockquote, span, a, b, i, em, strong')) br.remove()
  })
  // Word marks each list item's bullet or number as a span to ignore: a
  // number or a letter makes a numbered list.
  root.querySelectorAll('span').forEach((s) => {
    if (!/mso-list:\s*ignore/i.test(s.getAttribute('data-style') || '')) return
    const p = s.closest('p')
    if (p && /^\s*[0-9A-Za-z]{1,4}[.)]/.test(s.textContent)) p.setAttribute('data-ordered', '')
    s.remove()
  })
  wordLists(root)
  root.querySelectorAll('span, font, b, i, strong, em, u, s, strike, del').forEach(styledInline)
  root.querySelectorAll('h1').forEach((h) => rename(h, 'h2'))
  root.querySelectorAll('h4, h5, h6').forEach((h) => rename(h, 'h3'))
  root.querySelectorAll('p, li, td, th, h2, h3, blockquote').forEach((el) => {
    if (/^MsoTitle$/i.test(el.className) && el.tagName === 'P') rename(el, 'h2')
  })
  tables(root)
  // Google Docs puts each list item's text in a <p>: a list item of one
  // paragraph reads better as a tight list.
  root.querySelectorAll('li > p:only-child').forEach(unwrap)
  // Attributes: only what a link, an image and a table cell need.
  root.querySelectorAll('*').forEach((el) => {
    for (const a of [...el.attributes]) {
      const keep = (el.tagName === 'A' && a.name === 'href') || (el.tagName === 'IMG' && (a.name === 'src' || a.name === 'alt')) ||
        ((el.tagName === 'OL') && a.name === 'start')
      if (!keep) el.removeAttribute(a.name)
    }
  })
  root.querySelectorAll('a').forEach((a) => {
    const href = a.getAttribute('href') || ''
    // Google wraps outside links in a redirect through its own address.
    const g = /^https:\/\/www\.google\.com\/url\?q=([^&]+)/.exec(href)
    if (g) a.setAttribute('href', decodeURIComponent(g[1]))
    if (!/^(https?:|mailto:|\/)/i.test(a.getAttribute('href') || '')) unwrap(a)
  })
  // What is left of the wrappers: spans and fonts without meaning.
  root.querySelectorAll('span, font, div, section, article').forEach(unwrap)
  return root.innerHTML
}

function removeComments(root) {
  const walker = root.ownerDocument.createTreeWalker(root, NodeFilter.SHOW_COMMENT)
  const out = []
  while (walker.nextNode()) out.push(walker.currentNode)
  out.forEach((c) => c.remove())
}

function unwrap(el) {
  const parent = el.parentNode
  if (!parent) return
  while (el.firstChild) parent.insertBefore(el.firstChild, el)
  el.remove()
}

function rename(el, tag) {
  const n = el.ownerDocument.createElement(tag)
  while (el.firstChild) n.appendChild(el.firstChild)
  el.replaceWith(n)
  return n
}

// styledInline turns what a style says into the elements Markdown knows:
// bold and italic stay, the rest goes. A <b> or <strong> whose style says
// normal weight is not bold (Google Docs does this).
function styledInline(el) {
  const style = (el.getAttribute('data-style') || '').toLowerCase()
  const weight = /font-weight:\s*(\w+)/.exec(style)
  const fstyle = /font-style:\s*(\w+)/.exec(style)
  const tag = el.tagName
  let bold = tag === 'B' || tag === 'STRONG'
  let italic = tag === 'I' || tag === 'EM'
  if (weight) bold = /^(bold|bolder|[6-9]00)$/.test(weight[1])
  if (fstyle) italic = fstyle[1] === 'italic' || fstyle[1] === 'oblique'
  if (!bold && !italic && (tag === 'B' || tag === 'STRONG' || tag === 'I' || tag === 'EM' || tag === 'U')) {
    unwrap(el)
    return
  }
  if (tag === 'SPAN' || tag === 'FONT') {
    if (!bold && !italic) return // unwrapped later
    let inner = el.ownerDocument.createDocumentFragment()
    while (el.firstChild) inner.appendChild(el.firstChild)
    if (italic) {
      const em = el.ownerDocument.createElement('em')
      em.appendChild(inner)
      inner = em
    }
    if (bold) {
      const b = el.ownerDocument.createElement('strong')
      b.appendChild(inner)
      inner = b
    }
    el.replaceWith(inner)
  }
}

// wordLists turns Word's list paragraphs (class MsoListParagraph…, style
// mso-list: l0 level1 lfo1) into <ul> and <ol>, nested by level.
function wordLists(root) {
  const paras = [...root.querySelectorAll('p')]
  let stack = [] // open lists: {el, level, id}
  let last = null
  for (const p of paras) {
    const m = /mso-list:\s*(l\d+)\s+level(\d+)/i.exec(p.getAttribute('data-style') || '')
    if (!m) {
      stack = []
      last = null
      continue
    }
    const level = Number(m[2])
    const ordered = p.hasAttribute('data-ordered')
    // A list goes on only from the paragraph just before.
    if (!last || p.previousElementSibling !== last) stack = []
    while (stack.length && stack[stack.length - 1].level > level) stack.pop()
    let top = stack[stack.length - 1]
    if (!top || top.level < level) {
      const list = p.ownerDocument.createElement(ordered ? 'ol' : 'ul')
      if (top) {
        const li = top.el.lastElementChild
        li.appendChild(list)
      } else {
        p.before(list)
      }
      top = { el: list, level }
      stack.push(top)
    }
    const li = p.ownerDocument.createElement('li')
    while (p.firstChild) li.appendChild(p.firstChild)
    top.el.appendChild(li)
    // The paragraph stays, empty, until every item is placed, so that the
    // next item can tell it follows this one.
    last = p
  }
  root.querySelectorAll('p').forEach((p) => {
    if (/mso-list:/i.test(p.getAttribute('data-style') || '') && !p.firstChild) p.remove()
  })
}

// tables keep their rows and cells; the first row becomes the header row,
// as a Markdown table has one, and each cell holds its text only.
function tables(root) {
  root.querySelectorAll('table').forEach((t) => {
    t.querySelectorAll('thead, tbody, tfoot').forEach(unwrap)
    const rows = [...t.querySelectorAll('tr')]
    if (!rows.length) return
    rows[0].querySelectorAll('td').forEach((td) => rename(td, 'th'))
    t.querySelectorAll('td, th').forEach((cell) => {
      // A cell of several paragraphs becomes one line.
      const ps = cell.querySelectorAll('p, h1, h2, h3, h4, h5, h6, li')
      ps.forEach((p, i) => {
        if (i > 0) p.before(' ')
        unwrap(p)
      })
      cell.querySelectorAll('ul, ol, br').forEach(unwrap)
      // A header cell is bold already.
      if (cell.tagName === 'TH') cell.querySelectorAll('strong, b').forEach(unwrap)
    })
  })
}
