// What the reader's forms share (the comment form, the Subscribe boxes).
// Each form works without this file. With it, a form names every missing
// or malformed field in a message beside it before anything is sent, and
// the built-in anti-bot check is solved when the reader sends the form, so
// it cannot expire while they write.
//
// Focus moves only when the reader sends the form, to the first field that
// needs them. Leaving a field never moves it: a reader may fill the fields
// in any order. Messages come from the form's data-msg-* attributes, which
// the server fills from its catalog, so they read as the server's own.
(function () {
  "use strict";
  if (window.broadsheetForms) return; // loaded by both forms of a page

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

  // solveThenSend solves the form's check, then sends the form. Sent
  // without a solution if the check could not be solved: the server then
  // applies its tighter rules (a comment is held, not lost).
  function solveThenSend(form, widget) {
    if (form.dataset.solving) return;
    form.dataset.solving = "1";
    var send = function () {
      delete form.dataset.solving;
      var f = payloadField(form, false);
      if (f && !f.value) f.remove();
      HTMLFormElement.prototype.submit.call(form);
    };
    Promise.resolve(widget.verify()).then(function (result) {
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
      if (!widget || typeof widget.verify !== "function" || (solved && solved.value)) return;
      e.preventDefault();
      solveThenSend(form, widget);
    }, true);

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

  window.broadsheetForms = { enhance: enhance, show: show, emailProblem: emailProblem };

  // The Subscribe boxes: an address is all they ask for.
  document.querySelectorAll("form.subscribe-form").forEach(function (form) {
    enhance(form, ["email"], function () {
      var m = form.dataset;
      var msg = emailProblem(form.elements.email.value, true, m.msgEmailMissing, m.msgEmailInvalid);
      return msg ? { email: msg } : {};
    });
  });
})();
