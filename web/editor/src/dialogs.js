// The rich view's dialogs: a link's address, an image's upload with its
// description, caption and credit, and the media library. Each is a modal
// <dialog>: the rest of the page is inert while it is open, Escape closes
// it, and the focus goes back to where it was.

import { TextSelection } from '@milkdown/kit/prose/state'
import { el } from './dom.js'

const IMAGE_TYPES = 'image/jpeg,image/png,image/webp,image/gif'

// checkURL returns the address if a link may lead there: the web (http and
// https), an email address (mailto:) or a page of this site (/path).
export function checkURL(s) {
  s = s.trim()
  if (!s || /[\s<>"\\]/.test(s)) return null
  if (/^\/(?!\/)/.test(s)) return s
  if (/^mailto:[^@/?#]+@[^@/?#]+\.[^@/?#]+(\?\S*)?$/i.test(s)) return s
  if (!/^https?:\/\/[^/]/i.test(s)) return null
  try {
    const u = new URL(s)
    if ((u.protocol === 'http:' || u.protocol === 'https:') && /\.|^\[/.test(u.hostname)) return s
  } catch (e) {}
  return null
}

// markRange finds the extent of the mark of type around pos.
function markRange(doc, pos, type) {
  const $pos = doc.resolve(pos)
  const parent = $pos.parent
  let start = $pos.index()
  let mark = null
  const at = (i) => parent.maybeChild(i) && type.isInSet(parent.child(i).marks)
  if (at(start)) mark = at(start)
  else if (start > 0 && at(start - 1)) mark = at(--start)
  if (!mark) return null
  let end = start + 1
  while (start > 0 && mark.isInSet(parent.child(start - 1).marks)) start--
  while (end < parent.childCount && mark.isInSet(parent.child(end).marks)) end++
  let from = $pos.start()
  for (let i = 0; i < start; i++) from += parent.child(i).nodeSize
  let to = from
  for (let i = start; i < end; i++) to += parent.child(i).nodeSize
  return { from, to, mark }
}

let seq = 0

export class Dialogs {
  constructor(w, view) {
    this.w = w
    this.view = view
  }

  // open shows a modal dialog and gives the focus back when it closes.
  open(dialog, first) {
    const back = document.activeElement
    const view = this.view()
    const inEditor = view && view.dom.contains(back)
    document.body.append(dialog)
    dialog.addEventListener('close', () => {
      dialog.remove()
      if (inEditor) view.focus()
      else if (back && back.isConnected) back.focus()
    }, { once: true })
    dialog.showModal()
    if (first) first.focus()
  }

  // frame builds a dialog: a title, the fields, a place for problems, and
  // the buttons.
  frame(title, fields, buttons) {
    const id = 'rich-dialog-' + ++seq
    const error = el('div', { class: 'dialog-error', role: 'alert', id: id + '-error' })
    const form = el('form', { method: 'dialog' }, el('h2', { id: id + '-title' }, title), ...fields, error, el('div', { class: 'dialog-actions' }, ...buttons))
    const dialog = el('dialog', { class: 'rich-dialog', 'aria-labelledby': id + '-title' }, form)
    const cancel = buttons.find((b) => b.dataset.cancel !== undefined)
    if (cancel) cancel.addEventListener('click', () => dialog.close())
    return { dialog, form, error, id }
  }

  field(id, label, input, help) {
    input.id = id
    const kids = [el('label', { for: id }, label), input]
    if (help) {
      input.setAttribute('aria-describedby', id + '-help')
      kids.push(el('p', { class: 'help', id: id + '-help' }, help))
    }
    return el('div', { class: 'field' }, ...kids)
  }

  say(error, messages, input) {
    error.replaceChildren()
    if (!messages.length) return
    if (messages.length === 1) error.append(el('p', {}, messages[0]))
    else error.append(el('ul', {}, ...messages.map((m) => el('li', {}, m))))
    if (input) {
      input.setAttribute('aria-invalid', 'true')
      input.setAttribute('aria-errormessage', error.id)
      input.focus()
    }
  }

  // link asks for the address of the selected text's link.
  link(view) {
    const w = this.w
    const state = view.state
    const type = state.schema.marks.link
    const { from, to, empty } = state.selection
    const found = markRange(state.doc, from, type)
    const url = el('input', { type: 'text', inputmode: 'url', autocomplete: 'url', dir: 'ltr', spellcheck: 'false', value: found ? found.mark.attrs.href : '' })
    const apply = el('button', { type: 'submit', class: 'primary' }, w('link_apply'))
    const remove = el('button', { type: 'button' }, w('link_remove'))
    const cancel = el('button', { type: 'button', 'data-cancel': '' }, w('cancel'))
    const buttons = found ? [apply, remove, cancel] : [apply, cancel]
    const f = this.frame(w('link_title'), [this.field('rich-link-url', w('link_url'), url, w('link_help'))], buttons)
    f.form.addEventListener('submit', (e) => {
      e.preventDefault()
      const href = checkURL(url.value)
      if (!href) {
        this.say(f.error, [w('link_invalid')], url)
        return
      }
      const st = view.state
      let tr = st.tr
      const mark = type.create({ href })
      if (found && empty) {
        tr = tr.removeMark(found.from, found.to, type).addMark(found.from, found.to, mark)
      } else if (empty) {
        tr = tr.insertText(href, from).addMark(from, from + href.length, mark)
        tr = tr.setSelection(TextSelection.create(tr.doc, from + href.length))
      } else {
        tr = tr.removeMark(from, to, type).addMark(from, to, mark)
      }
      view.dispatch(tr)
      f.dialog.close()
    })
    remove.addEventListener('click', () => {
      const range = empty ? found : { from, to }
      view.dispatch(view.state.tr.removeMark(range.from, range.to, type))
      f.dialog.close()
    })
    url.addEventListener('input', () => url.removeAttribute('aria-invalid'))
    this.open(f.dialog, url)
  }

  // pickFile asks for an image file, then for its words, then uploads it.
  pickFile(insert) {
    const input = el('input', { type: 'file', accept: IMAGE_TYPES, hidden: '' })
    input.addEventListener('change', () => {
      if (input.files[0]) this.uploadImage(input.files[0], insert)
      input.remove()
    })
    document.body.append(input)
    input.click()
  }

  // imageFields are the words of an image: alt text, caption, credit.
  imageFields(values, withCaption) {
    const w = this.w
    // aria-required, not required: the dialog says what is missing itself.
    const alt = el('input', { type: 'text', 'aria-required': 'true', maxlength: '300', dir: 'auto', value: values.alt || '' })
    const caption = el('textarea', { rows: '2', maxlength: '1000', dir: 'auto' })
    caption.value = values.caption || ''
    const credit = el('input', { type: 'text', maxlength: '200', dir: 'auto', value: values.credit || '' })
    const fields = [this.field('rich-image-alt', w('image_alt'), alt, w('image_alt_help'))]
    if (withCaption) fields.push(this.field('rich-image-caption', w('image_caption'), caption))
    fields.push(this.field('rich-image-credit', w('image_credit'), credit))
    return { alt, caption, credit, fields }
  }

  // uploadImage asks for the words of file, uploads both to the media
  // library, and inserts the figure. A refusal is shown in the dialog, and
  // nothing typed is lost.
  uploadImage(file, insert) {
    const w = this.w
    const im = this.imageFields({}, true)
    const preview = el('img', { class: 'dialog-preview', alt: '' })
    const reader = new FileReader()
    reader.onload = () => preview.setAttribute('src', reader.result)
    if (file.size < 8 << 20) reader.readAsDataURL(file)
    const name = el('p', { class: 'dialog-file', dir: 'auto' }, file.name || '')
    const submit = el('button', { type: 'submit', class: 'primary' }, w('image_upload'))
    const cancel = el('button', { type: 'button', 'data-cancel': '' }, w('cancel'))
    const status = el('p', { class: 'dialog-status', role: 'status' })
    const f = this.frame(w('image_title'), [preview, name, ...im.fields, status], [submit, cancel])
    f.form.addEventListener('submit', async (e) => {
      e.preventDefault()
      if (!im.alt.value.trim()) {
        this.say(f.error, [w('image_alt_required')], im.alt)
        return
      }
      this.say(f.error, [])
      im.alt.removeAttribute('aria-invalid')
      const data = new FormData()
      data.append('file', file)
      data.append('alt', im.alt.value.trim())
      data.append('caption', im.caption.value.trim())
      data.append('credit', im.credit.value.trim())
      submit.disabled = true
      status.textContent = w('image_uploading')
      let res, body
      try {
        res = await fetch('/admin/media', { method: 'POST', body: data, headers: { Accept: 'application/json' }, credentials: 'same-origin' })
        body = await res.json().catch(() => ({}))
      } catch (err) {
        res = null
      }
      submit.disabled = false
      status.textContent = ''
      if (!res) {
        this.say(f.error, [w('image_offline')])
        return
      }
      if ((res.status === 200 || res.status === 201) && body && body.url) {
        const view = this.view()
        insert(this.figure(view.state.schema, [{ src: body.url, alt: im.alt.value.trim() || body.alt || '', title: im.credit.value.trim() || body.credit || '' }],
          im.caption.value.trim() || body.caption || ''))
        f.dialog.close()
        return
      }
      const errors = body && Array.isArray(body.errors) && body.errors.length ? body.errors.map(String) : [w('image_failed')]
      this.say(f.error, errors)
    })
    this.open(f.dialog, im.alt)
  }

  // figure makes a figure node of images (src, alt, title = credit) and a
  // caption, as plain text.
  figure(schema, images, caption) {
    return schema.nodes.figure.create({ images }, caption ? schema.text(caption) : null)
  }

  // editImage changes the alt text and the credit of one image of a figure.
  editImage(img, save) {
    const w = this.w
    const im = this.imageFields({ alt: img.alt, credit: img.title }, false)
    const submit = el('button', { type: 'submit', class: 'primary' }, w('image_save'))
    const cancel = el('button', { type: 'button', 'data-cancel': '' }, w('cancel'))
    const preview = el('img', { class: 'dialog-preview', src: img.src, alt: '' })
    const f = this.frame(w('image_edit'), [preview, ...im.fields], [submit, cancel])
    f.form.addEventListener('submit', (e) => {
      e.preventDefault()
      if (!im.alt.value.trim()) {
        this.say(f.error, [w('image_alt_required')], im.alt)
        return
      }
      save({ ...img, alt: im.alt.value.trim(), title: im.credit.value.trim() })
      f.dialog.close()
    })
    this.open(f.dialog, im.alt)
  }

  // library searches the media library; a pick inserts a figure (or, for a
  // document, a link to it); with "gallery" ticked several images make one
  // gallery.
  library(insert, galleryOnly) {
    const w = this.w
    const q = el('input', { type: 'search', dir: 'auto' })
    const search = el('button', { type: 'button' }, w('picker_search'))
    const gallery = el('input', { type: 'checkbox', id: 'rich-picker-gallery' })
    if (galleryOnly) gallery.checked = true
    const list = el('ul', { class: 'picker-list', 'aria-label': w('picker_results') })
    const more = el('button', { type: 'button', hidden: '' }, w('picker_more'))
    const status = el('p', { class: 'dialog-status', role: 'status' })
    const submit = el('button', { type: 'submit', class: 'primary' }, w('picker_insert'))
    const cancel = el('button', { type: 'button', 'data-cancel': '' }, w('cancel'))
    const row = el('div', { class: 'picker-search' }, this.field('rich-picker-q', w('picker_query'), q), search)
    const tick = el('div', { class: 'check' }, gallery, el('label', { for: 'rich-picker-gallery' }, w('picker_gallery')))
    const f = this.frame(w('picker_title'), [row, galleryOnly ? '' : tick, status, list, more], [submit, cancel])
    f.dialog.classList.add('picker')
    const chosen = []
    let page = 1
    const pick = (item, btn) => {
      const i = chosen.indexOf(item)
      if (!gallery.checked || item.kind !== 'image') {
        chosen.length = 0
        list.querySelectorAll('[aria-pressed="true"]').forEach((b) => b.setAttribute('aria-pressed', 'false'))
        if (i < 0) {
          chosen.push(item)
          btn.setAttribute('aria-pressed', 'true')
        }
        return
      }
      if (i >= 0) {
        chosen.splice(i, 1)
        btn.setAttribute('aria-pressed', 'false')
      } else {
        chosen.push(item)
        btn.setAttribute('aria-pressed', 'true')
      }
    }
    const load = async (reset) => {
      if (reset) {
        page = 1
        list.replaceChildren()
      }
      status.textContent = w('picker_loading')
      let body
      try {
        const r = await fetch('/admin/media.json?q=' + encodeURIComponent(q.value.trim()) + '&page=' + page, { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
        if (!r.ok) throw new Error(String(r.status))
        body = await r.json()
      } catch (e) {
        status.textContent = w('picker_error')
        return
      }
      const items = Array.isArray(body.items) ? body.items : []
      for (const item of items) {
        if (galleryOnly && item.kind !== 'image') continue
        const label = item.kind === 'image' ? item.alt || item.url : item.name || item.url
        const btn = el('button', { type: 'button', class: 'picker-item', 'aria-pressed': 'false' })
        if (item.kind === 'image') btn.append(el('img', { src: item.thumb || item.url, alt: '' }))
        btn.append(el('span', { dir: 'auto' }, label))
        btn.addEventListener('click', () => pick(item, btn))
        list.append(el('li', {}, btn))
      }
      status.textContent = list.childElementCount ? '' : w('picker_none')
      more.hidden = !body.next
      page++
    }
    search.addEventListener('click', () => load(true))
    q.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') {
        e.preventDefault()
        load(true)
      }
    })
    more.addEventListener('click', () => load(false))
    f.form.addEventListener('submit', (e) => {
      e.preventDefault()
      if (!chosen.length) {
        this.say(f.error, [w('picker_choose')])
        return
      }
      const schema = this.view().state.schema
      const imgs = chosen.filter((c) => c.kind === 'image')
      const nodes = []
      if (imgs.length) {
        const images = imgs.map((c) => ({ src: c.url, alt: c.alt || '', title: c.credit || '' }))
        nodes.push(this.figure(schema, images, imgs.length === 1 ? imgs[0].caption || '' : ''))
      }
      for (const d of chosen.filter((c) => c.kind !== 'image')) {
        const name = d.name || d.url
        nodes.push(schema.nodes.paragraph.create(null, schema.text(name, [schema.marks.link.create({ href: d.url })])))
      }
      insert(nodes)
      f.dialog.close()
    })
    this.open(f.dialog, q)
    load(true)
  }
}
