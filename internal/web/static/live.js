// A live blog's updates while its page is open, over the stream of
// internal/web/live.go. New updates wait behind a button that says how
// many, so that nothing moves under the reader's eyes until they ask;
// edits and deletions apply in place, keeping the reader's place. Without
// this file the page is whole, and a reload shows the latest.
(function () {
  "use strict";
  var blog = document.querySelector(".live-blog[data-stream]");
  if (!blog || !window.EventSource || !("content" in document.createElement("template"))) return;
  var stream = blog.querySelector(".live-stream");
  var region = blog.querySelector(".live-new");
  // The newest page shows new updates at its top; any other page sends
  // the reader there.
  var first = blog.dataset.first === "1";
  var lang = document.documentElement.lang || "en";
  var plural = window.Intl && Intl.PluralRules ? new Intl.PluralRules(lang) : null;
  var digits = blog.dataset.digits || "0123456789";
  var forms = JSON.parse(blog.dataset.forms);
  var waiting = []; // new updates not shown yet, as the stream sent them
  var offer = null; // the button (or link) that shows them

  // Most browsers keep the reader's place when something above it changes
  // (scroll anchoring); where one does not, the page does it itself.
  var anchored = window.CSS && CSS.supports && CSS.supports("overflow-anchor", "auto");

  function says(n) {
    var msg = forms[plural ? plural.select(n) : "other"] || forms.other;
    return msg.replace("%d", String(n).replace(/[0-9]/g, function (d) { return digits.charAt(+d); }));
  }

  function element(html) {
    var t = document.createElement("template");
    t.innerHTML = html;
    return t.content.firstElementChild;
  }

  // keepPlace makes change, which changes el, and when el is above what
  // the reader sees scrolls by as much as it grew or shrank.
  function keepPlace(el, change) {
    if (anchored) return change();
    var above = el.getBoundingClientRect().bottom <= 0;
    var height = document.documentElement.scrollHeight;
    change();
    if (above) window.scrollBy(0, document.documentElement.scrollHeight - height);
  }

  function idOf(el) { return +el.id.slice("update-".length); }

  // newer reports whether m is newer than every update the stream shows.
  function newer(m) {
    var top = stream.querySelector(".live-update");
    if (!top) return true;
    var t = +top.dataset.t;
    return m.t > t || (m.t === t && m.id > idOf(top));
  }

  function showOffer() {
    if (!waiting.length) {
      if (offer) offer.remove();
      offer = null;
      return;
    }
    if (!offer) {
      if (first) {
        offer = document.createElement("button");
        offer.type = "button";
        offer.addEventListener("click", showWaiting);
      } else {
        offer = document.createElement("a");
        offer.href = blog.dataset.newest;
      }
      region.appendChild(offer);
    }
    offer.textContent = says(waiting.length);
  }

  // showWaiting puts the waiting updates at the top, newest first, where
  // the reader pressed the button, and goes on at the first of them.
  function showWaiting() {
    var list = waiting.slice().sort(function (a, b) { return b.t - a.t || b.id - a.id; });
    waiting = [];
    var fragment = document.createDocumentFragment(), firstNew = null;
    list.forEach(function (m) {
      var el = element(m.html);
      firstNew = firstNew || el;
      fragment.appendChild(el);
    });
    stream.prepend(fragment);
    var empty = blog.querySelector(".empty");
    if (empty) empty.remove();
    showOffer();
    if (firstNew) {
      // The button is gone: the focus goes where the reader asked to go.
      firstNew.tabIndex = -1;
      firstNew.focus();
    }
  }

  function forget(id) {
    waiting = waiting.filter(function (m) { return m.id !== id; });
  }

  function apply(m) {
    var el = document.getElementById("update-" + m.id);
    if (m.deleted) {
      forget(m.id);
      showOffer();
      if (el) keepPlace(el, function () { el.remove(); });
      document.querySelectorAll('.key-events a[href$="#update-' + m.id + '"]').forEach(function (a) {
        var item = a.closest("li");
        keepPlace(item, function () { item.remove(); });
      });
      return;
    }
    if (el) {
      var fresh = element(m.html);
      keepPlace(el, function () { el.replaceWith(fresh); });
      return;
    }
    if (waiting.some(function (w) { return w.id === m.id; })) {
      forget(m.id); // edited before it was shown: its newest text waits
    } else if (!newer(m)) {
      return; // an older update this page does not show
    }
    waiting.push(m);
    showOffer();
  }

  var source = new EventSource(blog.dataset.stream + "?since=" + encodeURIComponent(blog.dataset.seq));
  source.addEventListener("update", function (e) {
    try {
      apply(JSON.parse(e.data));
    } catch (err) { /* one bad event does not stop the others */ }
  });
  source.addEventListener("reload", function () {
    // More changed than the stream could say: offer the page afresh.
    waiting = [];
    showOffer();
    if (region.querySelector(".live-reload")) return;
    var a = document.createElement("a");
    a.className = "live-reload";
    a.href = location.pathname + location.search;
    a.textContent = blog.dataset.reload;
    region.appendChild(a);
  });
})();
