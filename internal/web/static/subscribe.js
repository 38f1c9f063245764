// Subscribe forms. They work without this file (the request is then
// accepted under tighter limits); with it, the anti-bot check is solved
// when the reader sends the form, so it cannot expire while the page is
// open, and an empty or malformed address is named before anything is sent.
(function () {
  "use strict";
  document.querySelectorAll("form.subscribe-form").forEach(function (form) {
    var busy = false;
    form.addEventListener("submit", function (e) {
      // The form is novalidate (the widget's own checkbox would block it
      // before the check is solved), so the address is checked here.
      var email = form.elements.email;
      if (email && !email.checkValidity()) {
        e.preventDefault();
        email.reportValidity();
        return;
      }
      var widget = form.querySelector("altcha-widget");
      var field = form.querySelector('input[name="altcha"]');
      if (!widget || typeof widget.verify !== "function" || (field && field.value)) return;
      e.preventDefault();
      if (busy) return;
      busy = true;
      Promise.resolve(widget.verify()).then(function (result) {
        var f = form.querySelector('input[name="altcha"]');
        if (!f) {
          f = document.createElement("input");
          f.type = "hidden";
          f.name = "altcha";
          form.appendChild(f);
        }
        if (!f.value && result && result.payload) f.value = result.payload;
        if (!f.value) f.remove();
        busy = false;
        HTMLFormElement.prototype.submit.call(form);
      }, function () {
        busy = false;
        HTMLFormElement.prototype.submit.call(form);
      });
    }, true);
  });
})();
