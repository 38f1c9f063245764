// Passkeys in the newsroom: signing in with one, taking the second step
// with one, and registering one. A passkey needs this script (the browser
// makes and uses passkeys only through it), so its buttons are hidden
// until the script finds the browser able; the codes beside them work
// without it.
(function () {
  "use strict";
  if (!window.PublicKeyCredential || !navigator.credentials) return;

  function decode(s) {
    s = s.replace(/-/g, "+").replace(/_/g, "/");
    while (s.length % 4) s += "=";
    var bin = atob(s), out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out.buffer;
  }
  function encode(buf) {
    var bytes = new Uint8Array(buf), bin = "";
    for (var i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]);
    return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
  function ids(list) {
    (list || []).forEach(function (c) { c.id = decode(c.id); });
  }

  // post sends JSON and reads JSON back; a refusal becomes an error
  // carrying the server's words and, when it has one, where to go.
  function post(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "Accept": "application/json"},
      body: JSON.stringify(body || {})
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (data) {
        if (!res.ok) {
          var err = new Error(data.error || res.statusText);
          err.redirect = data.redirect;
          throw err;
        }
        return data;
      });
    });
  }

  function answer(cred) {
    var r = cred.response, out = {
      id: cred.id, rawId: encode(cred.rawId), type: cred.type,
      authenticatorAttachment: cred.authenticatorAttachment || undefined,
      clientExtensionResults: cred.getClientExtensionResults ? cred.getClientExtensionResults() : {},
      response: {clientDataJSON: encode(r.clientDataJSON)}
    };
    if (r.attestationObject) {
      out.response.attestationObject = encode(r.attestationObject);
      if (r.getTransports) out.response.transports = r.getTransports();
    } else {
      out.response.authenticatorData = encode(r.authenticatorData);
      out.response.signature = encode(r.signature);
      if (r.userHandle) out.response.userHandle = encode(r.userHandle);
    }
    return out;
  }

  function run(button) {
    var kind = button.getAttribute("data-passkey"), url = button.getAttribute("data-url");
    var status = document.getElementById(button.getAttribute("aria-describedby") || "");
    var nameField = kind === "register" ? document.getElementById("passkey-name") : null;
    var next = button.getAttribute("data-next") || "";
    function say(text) { if (status) status.textContent = text; }
    if (nameField && !nameField.value.trim()) {
      say(button.getAttribute("data-name-missing"));
      return;
    }
    button.disabled = true;
    say("");
    post(url + "/options").then(function (opts) {
      var pk = opts.publicKey;
      pk.challenge = decode(pk.challenge);
      if (kind === "register") {
        pk.user.id = decode(pk.user.id);
        ids(pk.excludeCredentials);
        return navigator.credentials.create({publicKey: pk});
      }
      ids(pk.allowCredentials);
      return navigator.credentials.get({publicKey: pk});
    }).then(function (cred) {
      var body = {credential: answer(cred), next: next};
      if (nameField) body.name = nameField.value.trim();
      return post(url, body);
    }).then(function (done) {
      if (done.post) {
        // A step that wants a form posted next (the first passkey's
        // recovery codes): the page it answers with is shown.
        var form = document.createElement("form");
        form.method = "post";
        form.action = done.post;
        document.body.appendChild(form);
        form.submit();
        return;
      }
      window.location.assign(done.redirect || "/admin");
    }).catch(function (err) {
      button.disabled = false;
      if (err && err.redirect) {
        window.location.assign(err.redirect);
        return;
      }
      // The browser's own refusals (cancelled, timed out, no passkey
      // here) say nothing the person does not know: the page's words do.
      say(err && err.name && err.name !== "Error" ? button.getAttribute("data-cancelled") : (err && err.message) || button.getAttribute("data-cancelled"));
    });
  }

  document.querySelectorAll("[data-passkey]").forEach(function (button) {
    button.hidden = false;
    var group = button.closest("[data-passkey-group]");
    if (group) group.hidden = false;
    button.addEventListener("click", function (e) {
      e.preventDefault();
      run(button);
    });
  });
})();
