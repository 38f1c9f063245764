// Comment form enhancements, on top of forms.js (which names missing
// fields before anything is sent and solves the anti-bot check on submit).
// The form works without either file. With this one, new comments appear
// without a reload, and a submission the server returned because its
// anti-bot check expired is sent again by itself once the widget has
// solved a fresh check.
(function () {
  "use strict";
  var form = document.getElementById("comment-form");
  if (!form || form.tagName !== "FORM") return;

  // The same rules and words as the server (internal/comment).
  var forms = window.broadsheetForms;
  var comment = forms.enhance(form, ["body", "name", "email"], function () {
    var m = form.dataset;
    var name = form.elements.name.value.trim();
    var body = form.elements.body.value.trim();
    var errors = {};
    if (!name) errors.name = m.msgName;
    else if ([...name].length > 80) errors.name = m.msgNameLong;
    if (!body) errors.body = m.msgBody;
    else if ([...body].length < 2) errors.body = m.msgBodyShort;
    else if ([...body].length > 5000) errors.body = m.msgBodyLong;
    var email = forms.emailProblem(form.elements.email.value, form.elements.notify.checked, m.msgEmailNotify, m.msgEmail);
    if (email) errors.email = email;
    return errors;
  });

  // New approved comments appear without a reload: the server says when the
  // discussion changed, and the list is fetched again. The form, and what
  // the reader is typing in it, is never touched.
  function refresh() {
    fetch(location.pathname + location.search, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        ["#comments-heading", ".comment-list"].forEach(function (sel) {
          var fresh = doc.querySelector(sel), old = document.querySelector(sel);
          if (fresh && old && !old.contains(document.activeElement)) old.replaceWith(fresh);
        });
        var list = document.querySelector(".comment-list");
        if (!list) {
          var freshList = doc.querySelector(".comment-list");
          var empty = document.querySelector("#comments .empty");
          if (freshList && empty) empty.replaceWith(freshList);
        }
      })
      .catch(function () { /* the next change tries again */ });
  }

  // A live blog's stream (live.js) says when the discussion changed, so
  // that its page holds one stream, not two; when it ends, the discussion
  // opens its own.
  function listen() {
    var carried = window.broadsheetDiscussion;
    if (carried) {
      carried.addEventListener("changed", refresh);
      carried.addEventListener("stopped", listen, { once: true });
    } else if (window.EventSource) {
      new EventSource(new URL(form.action).pathname + "/live").addEventListener("changed", refresh);
    }
  }
  listen();

  // The server sent the reader's text back because the check expired:
  // send it again. The widget fetches and solves a fresh check first.
  if (form.dataset.resubmit === "1") {
    customElements.whenDefined("altcha-widget").then(function () {
      if (comment.validate()) form.requestSubmit();
    });
  }
})();
