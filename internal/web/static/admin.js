// Newsroom enhancements. Everything works without this file; with it,
// drafts save themselves and a copy of the editor's text is kept in the
// browser until the server has it.
(function () {
  "use strict";
  // Signing out forgets every kept draft: the next person at this browser
  // must not find them.
  var logout = document.querySelector('form[action="/admin/logout"]');
  if (logout) logout.addEventListener("submit", function () {
    try {
      for (var i = localStorage.length - 1; i >= 0; i--) {
        var k = localStorage.key(i);
        if (k && k.indexOf("broadsheet-draft:") === 0) localStorage.removeItem(k);
      }
    } catch (e) {}
  });
  // The bar's folded groups act as menus: one open at a time, closed by a
  // click elsewhere or by Escape (which returns the focus to the group).
  var groups = document.querySelectorAll(".admin-nav details");
  groups.forEach(function (g) {
    g.addEventListener("toggle", function () {
      if (g.open) groups.forEach(function (o) { if (o !== g) o.open = false; });
    });
  });
  document.addEventListener("click", function (e) {
    groups.forEach(function (g) { if (g.open && !g.contains(e.target)) g.open = false; });
  });
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape") return;
    groups.forEach(function (g) {
      if (!g.open) return;
      var inside = g.contains(document.activeElement);
      g.open = false;
      if (inside) g.querySelector("summary").focus();
    });
  });
  // Moderation shortcuts: j/k move between comments, x ticks, a/s/t act
  // on the ticked ones (the same buttons a mouse would press).
  var queue = document.getElementById("moderation");
  if (queue) {
    var boxes = queue.querySelectorAll('input[name="id"]');
    var at = -1;
    document.addEventListener("keydown", function (e) {
      if (e.ctrlKey || e.metaKey || e.altKey || /INPUT|TEXTAREA|SELECT/.test(e.target.tagName) && e.target.type !== "checkbox") return;
      if (e.key === "j" || e.key === "k") {
        at = Math.max(0, Math.min(boxes.length - 1, at + (e.key === "j" ? 1 : -1)));
        boxes[at].focus();
        boxes[at].closest("li").scrollIntoView({ block: "nearest" });
      } else if (e.key === "x" && at >= 0) {
        boxes[at].checked = !boxes[at].checked;
      } else {
        var b = queue.querySelector('button[data-key="' + e.key + '"]');
        if (b) b.click();
      }
    });
  }
  var form = document.getElementById("editor");
  if (!form) return;
  var status = form.querySelector(".autosave-status");

  // Writing aids: counts and the search and share previews follow the
  // text as it is typed (the page shows them as of the last save).
  var lang = document.documentElement.lang || "en";
  var plural = window.Intl && Intl.PluralRules ? new Intl.PluralRules(lang) : null;
  var stats = document.getElementById("body-stats");
  var digits = stats && stats.dataset.digits || "0123456789";
  function number(n) {
    return String(n).replace(/[0-9]/g, function (d) { return digits.charAt(+d); });
  }
  function says(json, n) {
    var forms = JSON.parse(json);
    var msg = forms[plural ? plural.select(n) : "other"] || forms.other;
    return msg.replace("%d", number(n));
  }
  function chars(s) { return Array.from(s).length; }
  function clip(s, n) {
    var a = Array.from(s);
    return a.length <= n ? s : a.slice(0, n - 1).join("") + "\u2026";
  }
  var preview = document.getElementById("share-preview");
  function aids() {
    var el = form.elements;
    if (stats && el.body) {
      // As the reading page counts: words between spaces, 230 a minute.
      var words = el.body.value.split(/\s+/).filter(Boolean).length;
      stats.querySelector(".words").textContent = says(stats.dataset.words, words);
      stats.querySelector(".minutes").textContent = says(stats.dataset.minutes, Math.max(1, Math.floor((words + 115) / 230)));
    }
    form.querySelectorAll(".count-hint").forEach(function (hint) {
      var field = document.querySelector('[aria-describedby~="' + hint.id + '"]');
      if (!field) return;
      var n = chars(field.value.trim());
      hint.textContent = says(hint.dataset.forms, n);
      hint.classList.toggle("over", n > +hint.dataset.shown);
    });
    if (preview && el.headline) {
      var headline = el.headline.value.trim(), standfirst = el.standfirst ? el.standfirst.value.trim() : "";
      var section = el.section && el.section.value, slug = el.slug && el.slug.value.trim();
      preview.querySelector(".serp-path").textContent = section ? " \u203a " + section + (slug ? " \u203a " + slug : "") : "";
      preview.querySelector(".serp-title").textContent = clip(headline, 60) + " \u00b7 " + preview.dataset.site;
      preview.querySelector(".serp-desc").textContent = clip(standfirst, 160);
      preview.querySelector(".card-title").textContent = headline;
      preview.querySelector(".card-desc").textContent = clip(standfirst, 160);
      var lead = el.lead_image && el.lead_image.selectedOptions[0];
      preview.querySelector(".social-card img").src = lead && lead.dataset.thumb || preview.dataset.card;
    }
  }
  form.addEventListener("input", aids);
  form.addEventListener("change", aids);
  aids();
  // Kept per user and per article, so nobody is offered another person's text.
  var key = "broadsheet-draft:" + form.dataset.user + ":" + form.getAttribute("action");
  var dirty = false;

  function snapshot() {
    var data = {};
    new FormData(form).forEach(function (v, k) { if (k !== "version") data[k] = v; });
    return data;
  }
  function say(text) { if (status) status.textContent = text; }

  // Offer back what this browser kept if the page lost it (a crash, a
  // closed tab, an expired session).
  try {
    var kept = JSON.parse(localStorage.getItem(key) || "null");
    var body = form.elements.body;
    if (kept && body && kept.body && kept.body !== body.value &&
        window.confirm("This browser kept unsaved text for this article. Restore it?")) {
      Object.keys(kept).forEach(function (k) {
        var el = form.elements[k];
        if (el && el.type !== "hidden" && typeof el.value === "string") el.value = kept[k];
      });
      dirty = true;
    }
  } catch (e) { /* storage may be unavailable */ }

  form.addEventListener("input", function () {
    dirty = true;
    try { localStorage.setItem(key, JSON.stringify(snapshot())); } catch (e) {}
  });
  form.addEventListener("submit", function (e) {
    // Preview opens another tab: the text is not saved by it.
    if (e.submitter && e.submitter.formTarget) return;
    // Leaving the page on purpose; the kept copy stays until the server
    // confirms the save (a signed-out session would drop the post).
    dirty = false;
  });
  // The page after a successful save says so: only then is the kept copy
  // of no more use.
  if (/[?&]notice=(saved|updated|published|scheduled|submitted|restored)/.test(location.search)) {
    try { localStorage.removeItem(key); } catch (e) {}
  }
  window.addEventListener("beforeunload", function (e) {
    if (dirty) { e.preventDefault(); e.returnValue = ""; }
  });

  if (form.dataset.autosave !== "on") return;
  var saving = false;
  setInterval(function () {
    if (!dirty || saving) return;
    saving = true;
    var sent = JSON.stringify(snapshot());
    var data = new FormData(form);
    data.set("action", "autosave");
    fetch(form.getAttribute("action"), { method: "POST", body: data, credentials: "same-origin" })
      .then(function (r) {
        return r.json().then(function (j) { return { status: r.status, body: j }; });
      })
      .then(function (res) {
        if (res.status === 200) {
          form.elements.version.value = res.body.version;
          // Only what was sent is saved; typing since then still counts.
          if (JSON.stringify(snapshot()) === sent) {
            dirty = false;
            try { localStorage.removeItem(key); } catch (e) {}
          }
          say("Draft saved " + new Date().toLocaleTimeString());
        } else if (res.status === 409) {
          say("Someone else saved this article. Save to compare your text with theirs.");
        } else {
          say("Not saved yet: " + ((res.body.errors || []).join("; ") || "try Save"));
        }
      })
      .catch(function () { say("Offline: your text is kept in this browser."); })
      .finally(function () { saving = false; });
  }, 20000);
})();
