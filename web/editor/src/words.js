// The editor's words, in the newsroom's language: the page gives them as
// JSON in the data-words attribute of #body-field (from the catalogues).
let words = {}

export function setWords(json) {
  try {
    words = JSON.parse(json || '{}') || {}
  } catch (e) {
    words = {}
  }
}

// w returns the word for key, or the key when the page gave none.
export function w(key) {
  return words[key] || key
}
