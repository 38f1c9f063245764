// el makes an element with attributes and text or children. Attributes are
// set one by one and never include style: the site's CSP forbids it.
export function el(tag, attrs = {}, ...kids) {
  const e = document.createElement(tag)
  for (const [k, v] of Object.entries(attrs)) {
    if (v !== null && v !== undefined && v !== false) e.setAttribute(k, v)
  }
  e.append(...kids)
  return e
}
