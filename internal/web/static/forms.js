// The reader's forms: the comment form and the Subscribe boxes, in one
// file, as a page with the one mostly has the other. Each form works
// without this file. With it, a form names every missing or malformed
// field in a message beside it before anything is sent, and the built-in
// anti-bot check is solved when the reader sends the form, so it cannot
// expire while they write. New comments appear without a reload.
//
// The check's widget (altcha.min.js, 35 KB compressed) and its words
// (altcha-words.js) are fetched only when the reader starts a form that
// has one: the first focus or input in it. A reader who only reads
// fetches neither. Their addresses come from this script's data-widget
// and data-widget-words attributes.
//
// Focus moves only when the reader sends the form, to the first field that
// needs them. Leaving a field never moves it: a reader may fill the fields
// in any order. Messages come from the form's data-msg-* attributes, which
// the server fills from its catalog, so they read as the server's own.
(function () {
  "use strict";
  if (window.broadsheetForms) return; // loaded by both forms of a page
  var here = document.currentScript;

  // The shape the server accepts (internal/subscription, internal/comment).
  var emailShape = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;

  // show puts message beside input, or takes it away when message is
  // empty. The message joins the input's description, beside any help.
  function show(input, message) {
    var id = input.id + "-error";
    var p = document.getElementById(id);
    var box = input.closest(".field");
    var described = (input.getAttribute("aria-describedby") || "").split(/\s+/).filter(function (t) { return t && t !== id; });
    if (!message) {
      if (p) p.remove();
      input.removeAttribute("aria-invalid");
      if (box) box.classList.remove("invalid");
    } else {
      if (!p) {
        p = document.createElement("p");
        p.className = "field-error";
        p.id = id;
        input.insertAdjacentElement("afterend", p);
      }
      p.textContent = message;
      input.setAttribute("aria-invalid", "true");
      if (box) box.classList.add("invalid");
      described.push(id);
    }
    if (described.length) input.setAttribute("aria-describedby", described.join(" "));
    else input.removeAttribute("aria-describedby");
  }

  // payloadField is the anti-bot solution the form sends; create makes it
  // when the widget has not.
  function payloadField(form, create) {
    var f = form.querySelector('input[name="altcha"]');
    if (!f && create) {
      f = document.createElement("input");
      f.type = "hidden";
      f.name = "altcha";
      form.appendChild(f);
    }
    return f;
  }

  // loadWidget fetches the widget, then its words (they register with the
  // widget's registry, which the widget makes), once; it resolves when
  // the widget is defined, and rejects if it could not be fetched.
  var widgetLoaded;
  function loadWidget() {
    if (!widgetLoaded) {
      var src = here && here.dataset.widget, words = here && here.dataset.widgetWords;
      widgetLoaded = src ? import(src).then(function () {
        return words && import(words);
      }).then(function () {
        return customElements.whenDefined("altcha-widget");
      }) : Promise.reject(new Error("forms.js: no data-widget"));
    }
    return widgetLoaded;
  }

  // solveThenSend solves the form's check, then sends the form. Sent
  // without a solution if the check could not be solved, or its widget
  // not fetched within 20 seconds: the server then applies its tighter
  // rules (a comment is held, not lost).
  function solveThenSend(form, widget) {
    if (form.dataset.solving) return;
    form.dataset.solving = "1";
    var send = function () {
      delete form.dataset.solving;
      var f = payloadField(form, false);
      if (f && !f.value) f.remove();
      HTMLFormElement.prototype.submit.call(form);
    };
    var late = new Promise(function (resolve, reject) { setTimeout(reject, 20000); });
    Promise.race([loadWidget(), late]).then(function () {
      return widget.verify();
    }).then(function (result) {
      var f = payloadField(form, true);
      if (!f.value && result && result.payload) f.value = result.payload;
      send();
    }, send);
  }

  // enhance gives form the shared behaviour. fields names its checked
  // inputs in the order the reader meets them; check returns a message
  // for each that needs the reader ({} when the form may be sent).
  function enhance(form, fields, check) {
    var input = function (name) { return form.elements[name]; };

    // validate shows every message and focuses the first field that has
    // one; it is true when the form may be sent.
    function validate() {
      var errors = check();
      fields.forEach(function (f) { if (input(f)) show(input(f), errors[f]); });
      var first = fields.find(function (f) { return errors[f] && input(f); });
      if (first) input(first).focus();
      return !first;
    }

    // An incomplete form is not sent and spends no check. A complete one
    // fetches and solves its check now, then is sent.
    form.addEventListener("submit", function (e) {
      if (!validate()) {
        e.preventDefault();
        e.stopImmediatePropagation();
        return;
      }
      var widget = form.querySelector("altcha-widget");
      var solved = payloadField(form, false);
      if (!widget || (solved && solved.value)) return;
      e.preventDefault();
      solveThenSend(form, widget);
    }, true);

    // The reader starts the form: its widget is fetched, and draws itself
    // while they write. Focus stays where the reader put it.
    if (form.querySelector("altcha-widget")) {
      var start = function () {
        form.removeEventListener("focusin", start);
        form.removeEventListener("input", start);
        loadWidget().catch(function () { /* the form is sent without a solution */ });
      };
      form.addEventListener("focusin", start);
      form.addEventListener("input", start);
    }

    // Leaving a field that was marked updates the marked fields' messages,
    // taking away those now answered. It marks no new field and moves no
    // focus.
    form.addEventListener("focusout", function (e) {
      var name = e.target.name;
      if (fields.indexOf(name) < 0 || !e.target.getAttribute("aria-invalid")) return;
      var errors = check();
      fields.forEach(function (f) {
        if (input(f) && input(f).getAttribute("aria-invalid")) show(input(f), errors[f]);
      });
    });

    return { validate: validate };
  }

  // emailProblem is the message for an address, or "" when it will do.
  // required says whether an empty address is a problem.
  function emailProblem(value, required, missing, malformed) {
    value = value.trim();
    if (!value) return required ? missing : "";
    return emailShape.test(value) && value.length <= 254 ? "" : malformed;
  }

  window.broadsheetForms = { enhance: enhance, show: show, emailProblem: emailProblem, loadWidget: loadWidget };

  // The Subscribe boxes: an address is all they ask for.
  document.querySelectorAll("form.subscribe-form").forEach(function (form) {
    enhance(form, ["email"], function () {
      var m = form.dataset;
      var msg = emailProblem(form.elements.email.value, true, m.msgEmailMissing, m.msgEmailInvalid);
      return msg ? { email: msg } : {};
    });
  });

  // The comment form, on top of the rest: new comments appear without a
  // reload, and a submission the server returned because its anti-bot
  // check expired is sent again by itself once the widget has solved a
  // fresh check.
  var form = document.getElementById("comment-form");
  if (!form || form.tagName !== "FORM") return;

  // The same rules and words as the server (internal/comment).
  var comment = enhance(form, ["body", "name", "email"], function () {
    var m = form.dataset;
    var name = form.elements.name.value.trim();
    var body = form.elements.body.value.trim();
    var errors = {};
    if (!name) errors.name = m.msgName;
    else if ([...name].length > 80) errors.name = m.msgNameLong;
    if (!body) errors.body = m.msgBody;
    else if ([...body].length < 2) errors.body = m.msgBodyShort;
    else if ([...body].length > 5000) errors.body = m.msgBodyLong;
    var email = emailProblem(form.elements.email.value, form.elements.notify.checked, m.msgEmailNotify, m.msgEmail);
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
  // send it again. The widget is fetched, and solves a fresh check first.
  if (form.dataset.resubmit === "1") {
    loadWidget().then(function () {
      if (comment.validate()) form.requestSubmit();
    }, function () { /* the reader sends it */ });
  }
})();
