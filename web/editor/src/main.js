// The newsroom's rich editor for an article's body. The textarea #body stays
// the form's field and the Markdown stays the article: this view edits it
// and writes it back into the textarea on every change, byte for byte where
// nothing changed (source.js). Without JavaScript, or in Markdown mode, the
// textarea is all there is.

import { Editor, editorViewCtx, editorViewOptionsCtx, remarkCtx, remarkStringifyOptionsCtx, schemaCtx, serializerCtx, rootCtx } from '@milkdown/kit/core'
import { commonmark, syncHeadingIdPlugin, syncListOrderPlugin, remarkPreserveEmptyLinePlugin, imageSchema } from '@milkdown/kit/preset/commonmark'
import { gfm, tableCellSchema, tableHeaderSchema } from '@milkdown/kit/preset/gfm'
import { history } from '@milkdown/kit/plugin/history'
import { clipboard } from '@milkdown/kit/plugin/clipboard'
import { $prose, $view } from '@milkdown/kit/utils'
import { EditorState, Plugin, PluginKey, Selection } from '@milkdown/kit/prose/state'
import { keymap } from '@milkdown/kit/prose/keymap'
import { setBlockType } from '@milkdown/kit/prose/commands'

import { Source } from './source.js'
import { figureNode, embedNode, sourceNode, pullquoteNode, isEmbedURL } from './blocks.js'
import { cleanPastedHTML } from './paste.js'
import { Toolbar } from './toolbar.js'
import { FigureView } from './figure.js'
import { Dialogs } from './dialogs.js'
import { el } from './dom.js'
import { setWords, w } from './words.js'

const MODE_KEY = 'broadsheet-editor-mode'

function start() {
  const form = document.getElementById('editor')
  const ta = document.getElementById('body')
  const field = document.getElementById('body-field')
  if (!form || !ta || !field) return
  setWords(field.dataset.words)
  new RichEditor(form, ta, field, w).mount()
}

class RichEditor {
  constructor(form, ta, field, w) {
    this.form = form
    this.ta = ta
    this.field = field
    this.w = w
    this.mode = 'markdown'
    this.timer = 0
    this.written = ta.value
  }

  async mount() {
    const w = this.w
    const label = document.querySelector('label[for="body"]')
    this.labelText = label ? label.textContent.trim() : w('body')

    // The switch between the two ways of writing.
    const modes = el('div', { class: 'editor-modes', role: 'group', 'aria-label': w('mode') })
    this.richButton = el('button', { type: 'button', class: 'mode-rich', 'aria-pressed': 'false' }, w('mode_rich'))
    this.mdButton = el('button', { type: 'button', class: 'mode-markdown', 'aria-pressed': 'true' }, w('mode_markdown'))
    modes.append(this.richButton, this.mdButton)
    this.richButton.addEventListener('click', () => this.setMode('rich', true))
    this.mdButton.addEventListener('click', () => this.setMode('markdown', true))

    this.pane = el('div', { class: 'rich-pane', hidden: '' })
    const host = el('div', { class: 'rich-view' })
    this.dialogs = new Dialogs(w, () => this.view)
    this.toolbar = new Toolbar(this, w)
    this.pane.append(this.toolbar.dom, this.toolbar.help, host)
    this.ta.before(modes)
    this.ta.after(this.pane)
    this.hint = this.field.querySelector('.markdown-help')

    const self = this
    this.editor = await Editor.make()
      .config((ctx) => {
        ctx.set(rootCtx, host)
        // New Markdown is written the way the newsroom's is: - for a list.
        ctx.update(remarkStringifyOptionsCtx, (prev) => ({ ...prev, bullet: '-' }))
        ctx.update(editorViewOptionsCtx, (prev) => ({
          ...prev,
          attributes: {
            role: 'textbox',
            'aria-multiline': 'true',
            'aria-label': this.labelText,
            'aria-describedby': this.describedBy(),
            dir: 'auto',
            spellcheck: 'true',
            class: 'rich-text',
          },
          transformPastedHTML: (html) => cleanPastedHTML(html),
        }))
        // Images keep an empty title (Milkdown would drop them) and table
        // cells say their alignment with a class: the site's CSP allows no
        // style attribute.
        ctx.update(imageSchema.key, (prev) => (c) => {
          const spec = prev(c)
          return {
            ...spec,
            parseMarkdown: {
              match: (n) => n.type === 'image',
              runner: (state, n, type) => state.addNode(type, { src: n.url || '', alt: n.alt || '', title: n.title || '' }),
            },
            toMarkdown: {
              match: (n) => n.type.name === 'image',
              runner: (state, n) => state.addNode('image', undefined, undefined, { url: n.attrs.src, alt: n.attrs.alt, title: n.attrs.title || null }),
            },
          }
        })
        for (const cell of [tableCellSchema, tableHeaderSchema]) {
          ctx.update(cell.key, (prev) => (c) => {
            const spec = prev(c)
            const tag = cell === tableCellSchema ? 'td' : 'th'
            return {
              ...spec,
              attrs: { ...spec.attrs, alignment: { default: null } },
              parseDOM: [{ tag, getAttrs: (dom) => ({ alignment: (/\balign-(left|center|right)\b/.exec(dom.className) || [])[1] || null }) }],
              toDOM: (node) => [
                tag,
                node.attrs.alignment ? { class: 'align-' + node.attrs.alignment } : {},
                0,
              ],
            }
          })
        }
      })
      // Left out: heading ids and list numbers rewritten on every change
      // (they would make unchanged blocks look changed), and empty lines
      // kept as <br /> (an empty table cell would be written so).
      .use(commonmark.filter((p) => ![syncHeadingIdPlugin, syncListOrderPlugin, remarkPreserveEmptyLinePlugin].flat().includes(p)))
      .use(gfm)
      .use(history)
      .use(clipboard)
      .use([figureNode, embedNode, sourceNode, pullquoteNode].flat())
      .use($view(figureNode, () => (node, view, getPos) => new FigureView(node, view, getPos, self)))
      .use($prose(() => this.plugin()))
      .create()

    this.editor.action((ctx) => {
      this.view = ctx.get(editorViewCtx)
      // Milkdown names its text "editor", the class of the newsroom's form.
      this.view.dom.classList.remove('editor')
      this.source = new Source(ctx.get(schemaCtx), ctx.get(remarkCtx), ctx.get(serializerCtx))
    })

    // The form's text is always the Markdown: before a submit, and whenever
    // anything reads the form (the autosave does), the latest is in it.
    document.addEventListener('submit', (e) => { if (e.target === this.form) this.flush() }, true)
    this.form.addEventListener('formdata', (e) => {
      if (this.mode === 'rich') e.formData.set('body', this.markdown())
    })

    let mode = 'rich'
    try {
      mode = localStorage.getItem(MODE_KEY) || 'rich'
    } catch (e) {}
    this.setMode(mode === 'markdown' ? 'markdown' : 'rich', false)
    this.field.classList.add('has-rich')
    this.field.dataset.rich = 'ready'
  }

  // describedBy is what describes the textarea, less the Markdown hint,
  // and how Tab behaves here.
  describedBy() {
    const ids = (this.ta.getAttribute('aria-describedby') || '').split(/\s+/).filter((id) => {
      const e = id && document.getElementById(id)
      return e && !e.classList.contains('markdown-help')
    })
    return [...ids, this.toolbar.helpHintID].join(' ')
  }

  // plugin watches the document for changes to write back.
  plugin() {
    const self = this
    return new Plugin({
      key: new PluginKey('broadsheet-editor'),
      view: () => ({
        update(view, prev) {
          if (prev.doc !== view.state.doc) self.changed()
          self.toolbar.update(view.state)
        },
      }),
    })
  }

  // pasting handles pasted and dropped images and addresses before
  // Milkdown's clipboard does, and clicks in the text's margins.
  pasting() {
    const self = this
    return new Plugin({
      key: new PluginKey('broadsheet-paste'),
      props: {
        handlePaste(view, event) {
          const files = [...(event.clipboardData?.files || [])].filter((f) => f.type.startsWith('image/'))
          if (files.length) {
            self.dialogs.uploadImage(files[0], (fig) => self.insertBlock(fig))
            return true
          }
          const text = (event.clipboardData?.getData('text/plain') || '').trim()
          const { $from, empty } = view.state.selection
          if (empty && isEmbedURL(text) && $from.depth === 1 && $from.parent.type.name === 'paragraph' && !$from.parent.content.size) {
            const embed = view.state.schema.nodes.embed.create({ url: text })
            view.dispatch(view.state.tr.replaceWith($from.before(), $from.after(), embed).scrollIntoView())
            return true
          }
          return false
        },
        // A click in the text's margin, beside or below the blocks, puts
        // the caret in the nearest block (the browser would put it between
        // blocks, where no text can go).
        handleDOMEvents: {
          mousedown(view, event) {
            if (event.target !== view.dom || event.button !== 0) return false
            event.preventDefault()
            const at = view.posAtCoords({ left: event.clientX, top: event.clientY })
            const doc = view.state.doc
            const sel = at ? Selection.near(doc.resolve(at.pos)) : Selection.atEnd(doc)
            view.dispatch(view.state.tr.setSelection(sel))
            view.focus()
            return true
          },
        },
        handleDrop(view, event) {
          const files = [...(event.dataTransfer?.files || [])].filter((f) => f.type.startsWith('image/'))
          if (!files.length) return false
          event.preventDefault()
          const at = view.posAtCoords({ left: event.clientX, top: event.clientY })
          if (at) view.dispatch(view.state.tr.setSelection(Selection.near(view.state.doc.resolve(at.pos))))
          self.dialogs.uploadImage(files[0], (fig) => self.insertBlock(fig))
          return true
        },
      },
    })
  }

  // keys are the shortcuts beyond Milkdown's own.
  keys() {
    const schema = this.view.state.schema
    return keymap({
      'Mod-k': () => { this.toolbar.run('link'); return true },
      'Mod-Alt-1': setBlockType(schema.nodes.heading, { level: 2 }),
      'Mod-Alt-2': setBlockType(schema.nodes.heading, { level: 2 }),
      'Mod-Alt-3': setBlockType(schema.nodes.heading, { level: 3 }),
    })
  }

  setMode(mode, remember) {
    if (mode === this.mode) return
    if (mode === 'rich') {
      this.load(this.ta.value)
      this.ta.hidden = true
      if (this.hint) this.hint.hidden = true
      this.pane.hidden = false
    } else {
      this.flush()
      this.pane.hidden = true
      this.ta.hidden = false
      if (this.hint) this.hint.hidden = false
    }
    this.mode = mode
    this.richButton.setAttribute('aria-pressed', String(mode === 'rich'))
    this.mdButton.setAttribute('aria-pressed', String(mode === 'markdown'))
    if (remember) {
      try {
        localStorage.setItem(MODE_KEY, mode)
      } catch (e) {}
    }
  }

  // load shows md in the rich view, with a fresh history.
  load(md) {
    const doc = this.source.parse(md)
    const plugins = this.view.state.plugins
    // Ours first: their keys and paste handling come before Milkdown's.
    if (!this.first) this.first = [this.keys(), this.pasting()]
    this.view.updateState(EditorState.create({ doc, plugins: [...this.first, ...plugins.filter((p) => !this.first.includes(p))] }))
    this.written = md
    this.toolbar.update(this.view.state)
  }

  markdown() {
    return this.source.markdown(this.view.state.doc)
  }

  changed() {
    clearTimeout(this.timer)
    this.timer = setTimeout(() => this.flush(), 250)
  }

  // flush writes the view's Markdown into the textarea, and tells the form
  // it changed, as typing in the textarea would.
  flush() {
    clearTimeout(this.timer)
    if (this.mode !== 'rich') return
    const md = this.markdown()
    if (md === this.ta.value) return
    this.ta.value = md
    this.written = md
    this.ta.dispatchEvent(new Event('input', { bubbles: true }))
  }

  // insertBlock puts a block node at the cursor.
  insertBlock(node) {
    const view = this.view
    const { $from } = view.state.selection
    let tr = view.state.tr
    if ($from.depth >= 1 && $from.parent.type.name === 'paragraph' && !$from.parent.content.size && $from.depth === 1) {
      tr = tr.replaceWith($from.before(), $from.after(), node)
    } else {
      tr = tr.replaceSelectionWith(node)
    }
    view.dispatch(tr.scrollIntoView())
    view.focus()
  }
}

start()
