// Comment form enhancements. The form works without this file; with it,
// missing fields are named before anything is sent, and a submission the
// server returned because its anti-bot check expired is sent again by
// itself once the widget has solved a fresh check.
(function () {
  "use strict";
  var form = document.getElementById("comment-form");
  if (!form || form.tagName !== "FORM") return;

  function show(field, message) {
    var input = form.elements[field];
    if (!input) return;
    var box = input.closest(".field");
    var id = "comment-" + field + "-error";
    var p = document.getElementById(id);
    if (!message) {
      if (p && p.dataset.inline) p.remove();
      input.removeAttribute("aria-invalid");
      if (box) box.classList.remove("invalid");
      return;
    }
    if (!p) {
      p = document.createElement("p");
      p.className = "field-error";
      p.id = id;
      p.dataset.inline = "1";
      input.insertAdjacentElement("afterend", p);
    }
    p.textContent = message;
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", id);
    if (box) box.classList.add("invalid");
  }

  // The same rules and words as the server (internal/comment).
  function check() {
    var m = form.dataset;
    var name = form.elements.name.value.trim();
    var body = form.elements.body.value.trim();
    var email = form.elements.email.value.trim();
    var errors = {};
    if (!name) errors.name = m.msgName;
    else if ([...name].length > 80) errors.name = m.msgNameLong;
    if (!body) errors.body = m.msgBody;
    else if ([...body].length < 2) errors.body = m.msgBodyShort;
    else if ([...body].length > 5000) errors.body = m.msgBodyLong;
    if (form.elements.notify.checked && !email) errors.email = m.msgEmailNotify;
    else if (email && !/^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/.test(email)) errors.email = m.msgEmail;
    ["name", "body", "email"].forEach(function (f) { show(f, errors[f]); });
    var first = ["body", "name", "email"].find(function (f) { return errors[f]; });
    if (first) form.elements[first].focus();
    return !first;
  }

  function payloadField() {
    var f = form.querySelector('input[name="altcha"]');
    if (!f) {
      f = document.createElement("input");
      f.type = "hidden";
      f.name = "altcha";
      form.appendChild(f);
    }
    return f;
  }

  // An incomplete comment is not sent and no check is spent on it. A
  // complete one fetches and solves its check now, when the reader posts,
  // so the check cannot expire while they write; then it is sent.
  var solving = false;
  form.addEventListener("submit", function (e) {
    if (!check()) {
      e.preventDefault();
      e.stopImmediatePropagation();
      return;
    }
    var widget = form.querySelector("altcha-widget");
    if (!widget || typeof widget.verify !== "function" || payloadField().value) return;
    e.preventDefault();
    if (solving) return;
    solving = true;
    Promise.resolve(widget.verify()).then(function (result) {
      var field = payloadField();
      if (!field.value && result && result.payload) field.value = result.payload;
      solving = false;
      // Sent without the payload if the check could not be solved: the
      // server then holds the comment for a moderator, and keeps it.
      if (!field.value) field.remove();
      HTMLFormElement.prototype.submit.call(form);
    }, function () {
      solving = false;
      HTMLFormElement.prototype.submit.call(form);
    });
  }, true);
  ["name", "body", "email"].forEach(function (f) {
    form.elements[f].addEventListener("blur", function () {
      if (form.elements[f].getAttribute("aria-invalid")) check();
    });
  });

  // New approved comments appear without a reload: the server says when the
  // discussion changed, and the list is fetched again. The form, and what
  // the reader is typing in it, is never touched.
  if (window.EventSource) {
    var live = new EventSource(form.getAttribute("action") + "/live");
    live.addEventListener("changed", function () {
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
    });
  }

  // The server sent the reader's text back because the check expired:
  // send it again. The widget fetches and solves a fresh check first.
  if (form.dataset.resubmit === "1") {
    customElements.whenDefined("altcha-widget").then(function () {
      if (check()) form.requestSubmit();
    });
  }
})();
