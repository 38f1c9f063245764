// The rich view's toolbar: one tab stop (roving tabindex, arrow keys move
// along it), every button named, marks and blocks that apply shown pressed,
// and a list of the keyboard shortcuts.

import { commandsCtx } from '@milkdown/kit/core'
import { toggleMark, setBlockType, wrapIn, lift } from '@milkdown/kit/prose/commands'
import { wrapInList, liftListItem } from '@milkdown/kit/prose/schema-list'
import { undo, redo, undoDepth, redoDepth } from '@milkdown/kit/prose/history'
import { addColumnAfter, deleteColumn, deleteRow, isInTable, selectedRect } from '@milkdown/kit/prose/tables'
import { insertTableCommand, addRowAfterCommand } from '@milkdown/kit/preset/gfm'
import { el } from './dom.js'

const isMac = /Mac|iPhone|iPad/.test(navigator.platform || '')

// keyName spells a ProseMirror key for people.
function keyName(k) {
  return k
    .split('-')
    .map((p) => (p === 'Mod' ? (isMac ? '⌘' : 'Ctrl') : p === 'Alt' ? (isMac ? '⌥' : 'Alt') : p.length === 1 ? p.toUpperCase() : p))
    .join('+')
}

export class Toolbar {
  constructor(editor, w) {
    this.ed = editor
    this.w = w
    const B = (id, key, opts = {}) => ({ id, key, ...opts })
    // Groups of buttons; a separator between groups.
    this.groups = [
      [B('h2', 'Mod-Alt-2', { pressed: true }), B('h3', 'Mod-Alt-3', { pressed: true })],
      [B('bold', 'Mod-b', { pressed: true }), B('italic', 'Mod-i', { pressed: true }), B('link', 'Mod-k', { pressed: true })],
      [B('bullet', 'Mod-Alt-8', { pressed: true }), B('ordered', 'Mod-Alt-7', { pressed: true }), B('quote', 'Mod-Shift-b', { pressed: true }), B('pullquote', '', { pressed: true })],
      [B('table', ''), B('row_add', ''), B('row_remove', ''), B('col_add', ''), B('col_remove', ''), B('rule', '')],
      [B('image', ''), B('library', '')],
      [B('undo', 'Mod-z'), B('redo', isMac ? 'Shift-Mod-z' : 'Mod-y')],
    ]
    this.buttons = []
    this.dom = el('div', { class: 'rich-toolbar', role: 'toolbar', 'aria-label': w('toolbar') })
    this.groups.forEach((g, gi) => {
      if (gi) this.dom.append(el('span', { class: 'sep', role: 'separator', 'aria-orientation': 'vertical' }))
      for (const b of g) {
        const attrs = { type: 'button', 'data-cmd': b.id, tabindex: '-1' }
        if (b.pressed) attrs['aria-pressed'] = 'false'
        if (b.key) attrs['aria-keyshortcuts'] = b.key.replace('Mod', isMac ? 'Meta' : 'Control').replace(/-/g, '+')
        if (b.key) attrs.title = w(b.id) + ' (' + keyName(b.key) + ')'
        const btn = el('button', attrs, w(b.id))
        btn.addEventListener('click', () => this.run(b.id))
        // A click keeps the text's selection where it was.
        btn.addEventListener('mousedown', (e) => e.preventDefault())
        b.el = btn
        this.buttons.push(btn)
        this.dom.append(btn)
      }
    })
    // The shortcuts: a popover the last button opens.
    this.helpID = 'rich-help-' + Math.random().toString(36).slice(2)
    this.helpHintID = this.helpID + '-hint'
    const helpBtn = el('button', { type: 'button', class: 'help-button', tabindex: '-1', popovertarget: this.helpID, 'aria-expanded': 'false' }, w('help'))
    this.buttons.push(helpBtn)
    this.dom.append(el('span', { class: 'sep', role: 'separator', 'aria-orientation': 'vertical' }), helpBtn)
    this.buttons[0].tabIndex = 0
    this.help = this.helpPanel()
    this.help.addEventListener('toggle', (e) => helpBtn.setAttribute('aria-expanded', String(e.newState === 'open')))
    this.dom.addEventListener('keydown', (e) => this.keydown(e))
    this.dom.addEventListener('focusin', (e) => {
      const i = this.buttons.indexOf(e.target)
      if (i >= 0) this.buttons.forEach((b, j) => (b.tabIndex = i === j ? 0 : -1))
    })
  }

  helpPanel() {
    const w = this.w
    const dl = el('dl')
    const row = (what, keys) => dl.append(el('dt', {}, what), el('dd', { dir: 'ltr' }, keys))
    for (const g of this.groups) for (const b of g) if (b.key) row(w(b.id), keyName(b.key))
    row(w('paragraph'), keyName('Mod-Alt-0'))
    row(w('strike'), keyName('Mod-Alt-x'))
    row(w('line_break'), keyName('Shift-Enter'))
    const panel = el('div', { id: this.helpID, popover: '', class: 'rich-help', role: 'dialog', 'aria-label': w('help_title') },
      el('h2', {}, w('help_title')), dl, el('p', { id: this.helpHintID }, w('help_tab')))
    return panel
  }

  // keydown moves along the toolbar: arrows in the reading direction, Home
  // and End.
  keydown(e) {
    const i = this.buttons.indexOf(document.activeElement)
    if (i < 0) return
    const rtl = getComputedStyle(this.dom).direction === 'rtl'
    let j = -1
    if (e.key === 'ArrowRight') j = rtl ? i - 1 : i + 1
    else if (e.key === 'ArrowLeft') j = rtl ? i + 1 : i - 1
    else if (e.key === 'Home') j = 0
    else if (e.key === 'End') j = this.buttons.length - 1
    else return
    e.preventDefault()
    j = (j + this.buttons.length) % this.buttons.length
    this.buttons[j].focus()
  }

  // run does what the button id stands for.
  run(id) {
    const view = this.ed.view
    if (!view) return
    const state = view.state
    const s = state.schema
    const exec = (cmd) => {
      cmd(view.state, view.dispatch, view)
      view.focus()
    }
    const call = (cmd, payload) => {
      this.ed.editor.action((ctx) => ctx.get(commandsCtx).call(cmd.key, payload))
      view.focus()
    }
    switch (id) {
      case 'h2':
      case 'h3': {
        const level = id === 'h2' ? 2 : 3
        exec(this.isHeading(state, level) ? setBlockType(s.nodes.paragraph) : setBlockType(s.nodes.heading, { level }))
        return
      }
      case 'bold':
        return exec(toggleMark(s.marks.strong))
      case 'italic':
        return exec(toggleMark(s.marks.emphasis))
      case 'link':
        return this.ed.dialogs.link(view)
      case 'bullet':
      case 'ordered': {
        const type = id === 'bullet' ? s.nodes.bullet_list : s.nodes.ordered_list
        if (this.inside(state, type)) return exec(liftListItem(s.nodes.list_item))
        return exec(wrapInList(type))
      }
      case 'quote':
        return exec(this.inside(state, s.nodes.blockquote) ? lift : wrapIn(s.nodes.blockquote))
      case 'pullquote':
        return exec(this.inside(state, s.nodes.pullquote) ? lift : wrapIn(s.nodes.pullquote))
      case 'table':
        return call(insertTableCommand, { row: 3, col: 3 })
      case 'row_add':
        return call(addRowAfterCommand)
      case 'row_remove':
        // The first row is the table's header: a Markdown table needs it.
        if (isInTable(state) && selectedRect(state).top > 0) exec(deleteRow)
        return
      case 'col_add':
        return exec(addColumnAfter)
      case 'col_remove':
        if (isInTable(state) && selectedRect(state).map.width > 1) exec(deleteColumn)
        return
      case 'rule':
        return this.ed.insertBlock(s.nodes.hr.create())
      case 'image':
        return this.ed.dialogs.pickFile((fig) => this.ed.insertBlock(fig))
      case 'library':
        return this.ed.dialogs.library((nodes) => nodes.forEach((n) => this.ed.insertBlock(n)))
      case 'undo':
        return exec(undo)
      case 'redo':
        return exec(redo)
    }
  }

  isHeading(state, level) {
    const { $from, $to } = state.selection
    return $from.parent.type.name === 'heading' && $from.parent.attrs.level === level && $from.sameParent($to)
  }

  inside(state, type) {
    const { $from } = state.selection
    for (let d = $from.depth; d > 0; d--) if ($from.node(d).type === type) return true
    return false
  }

  markActive(state, type) {
    const { from, $from, to, empty } = state.selection
    if (empty) return !!type.isInSet(state.storedMarks || $from.marks())
    return state.doc.rangeHasMark(from, to, type)
  }

  // update shows which marks and blocks apply where the cursor is, and
  // which commands can run.
  update(state) {
    const s = state.schema
    const inTable = isInTable(state)
    const pressed = {
      h2: this.isHeading(state, 2),
      h3: this.isHeading(state, 3),
      bold: this.markActive(state, s.marks.strong),
      italic: this.markActive(state, s.marks.emphasis),
      link: this.markActive(state, s.marks.link),
      bullet: this.inside(state, s.nodes.bullet_list),
      ordered: this.inside(state, s.nodes.ordered_list),
      quote: this.inside(state, s.nodes.blockquote),
      pullquote: this.inside(state, s.nodes.pullquote),
    }
    const disabled = {
      row_add: !inTable,
      row_remove: !inTable || selectedRect(state).top === 0,
      col_add: !inTable,
      col_remove: !inTable || selectedRect(state).map.width < 2,
      undo: undoDepth(state) === 0,
      redo: redoDepth(state) === 0,
    }
    for (const g of this.groups) {
      for (const b of g) {
        if (b.id in pressed) b.el.setAttribute('aria-pressed', String(pressed[b.id]))
        // aria-disabled keeps the button in the arrow-key order.
        if (disabled[b.id]) b.el.setAttribute('aria-disabled', 'true')
        else b.el.removeAttribute('aria-disabled')
      }
    }
  }
}
