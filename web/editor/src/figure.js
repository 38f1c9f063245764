// A figure or gallery in the rich view: its images, each with buttons to
// change its description and credit or to take it out, and its caption,
// typed in place.

import { el } from './dom.js'

export class FigureView {
  constructor(node, view, getPos, editor) {
    this.node = node
    this.view = view
    this.getPos = getPos
    this.ed = editor
    const w = editor.w
    this.images = el('div', { class: 'figure-images', contenteditable: 'false' })
    this.contentDOM = el('figcaption', { 'data-placeholder': w('caption_placeholder') })
    this.dom = el('figure', {}, this.images, this.contentDOM)
    this.render()
  }

  render() {
    const w = this.ed.w
    const imgs = this.node.attrs.images
    this.dom.className = imgs.length > 1 ? 'gallery' : 'figure'
    this.contentDOM.classList.toggle('empty', this.node.content.size === 0)
    this.images.replaceChildren()
    imgs.forEach((img, i) => {
      const n = imgs.length > 1 ? ' ' + (i + 1) : ''
      const edit = el('button', { type: 'button', class: 'figure-edit' }, w('image_edit') + n)
      edit.addEventListener('click', () => this.ed.dialogs.editImage(img, (next) => this.setImages(imgs.map((x, j) => (j === i ? next : x)))))
      const kids = [el('img', { src: img.src, alt: img.alt }), el('span', { class: 'figure-credit', dir: 'auto' }, img.title), edit]
      if (imgs.length > 1) {
        const remove = el('button', { type: 'button', class: 'figure-remove' }, w('image_remove') + n)
        remove.addEventListener('click', () => this.setImages(imgs.filter((_, j) => j !== i)))
        kids.push(remove)
      }
      this.images.append(el('div', { class: 'figure-image' }, ...kids))
    })
    const add = el('button', { type: 'button', class: 'figure-add' }, w('image_add'))
    add.addEventListener('click', () =>
      this.ed.dialogs.library((nodes) => {
        const more = nodes.filter((n) => n.type.name === 'figure').flatMap((n) => n.attrs.images)
        if (more.length) this.setImages([...this.node.attrs.images, ...more])
      }, true))
    this.images.append(add)
  }

  setImages(images) {
    const pos = this.getPos()
    if (typeof pos !== 'number') return
    this.view.dispatch(this.view.state.tr.setNodeMarkup(pos, undefined, { ...this.node.attrs, images }))
  }

  update(node) {
    if (node.type !== this.node.type) return false
    const same = node.attrs.images === this.node.attrs.images
    this.node = node
    if (!same) this.render()
    this.contentDOM.classList.toggle('empty', node.content.size === 0)
    return true
  }

  // The buttons and images are the view's own: ProseMirror leaves their
  // events and changes alone.
  stopEvent(e) {
    return this.images.contains(e.target)
  }

  ignoreMutation(m) {
    return this.images.contains(m.target) || (m.type === 'attributes' && m.target === this.dom)
  }
}
