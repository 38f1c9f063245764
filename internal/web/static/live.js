// A live blog's updates while its page is open, over the stream of
// internal/web/live.go. New updates wait behind a button that says how
// many, so that nothing moves under the reader's eyes until they ask;
// edits and deletions apply in place, keeping the reader's place and
// focus. The same stream says when the coverage opens or closes, and when
// the discussion changed, which forms.js hears from here: a page holds
// one stream. Should the stream fail for good, the reader is told and the
// page asks again, less often each time. Without this file the page is
// whole, and a reload shows the latest.
(function () {
  "use strict";
  var blog = document.querySelector(".live-blog[data-stream]");
  if (!blog || !window.EventSource || !("content" in document.createElement("template"))) return;
  var data = blog.dataset;
  // Closed coverage says nothing more: the discussion keeps its own stream.
  if (data.coverage === "ended") return;
  var stream = blog.querySelector(".live-stream");
  var region = blog.querySelector(".live-new");
  var heading = document.getElementById("live-updates-heading");
  // The newest page shows new updates at its top; any other page sends
  // the reader there.
  var first = data.first === "1";
  var lang = document.documentElement.lang || "en";
  var plural = window.Intl && Intl.PluralRules ? new Intl.PluralRules(lang) : null;
  var digits = data.digits || "0123456789";
  var forms = JSON.parse(data.forms);
  // The newest update when the page was read, wherever the page begins:
  // one newer was posted since, one not newer was edited.
  var newestT = +data.newestT || 0, newestID = +data.newestId || 0;
  // The origins the page's policy lets frames come from.
  var frames = (data.frames || "").split(" ").filter(Boolean);
  var seq = data.seq; // the last change heard
  var coverage = data.coverage || "";
  var waiting = []; // new updates not shown yet, as the stream sent them
  var offer = null; // the button (or link) that shows them
  var source = null, retryIn = 60, stopped = null, ended = false;

  // The discussion's changes come on this stream: forms.js listens here
  // rather than open a stream of its own, until this one ends.
  var discussion = new EventTarget();
  window.broadsheetDiscussion = discussion;

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

  var focusable = "a[href], button, input, select, textarea, iframe, summary, [tabindex]";

  // focusOn gives el the focus where it stands, making it able to take it.
  function focusOn(el) {
    if (!el) return;
    if (!el.matches(focusable)) el.tabIndex = -1;
    el.focus({ preventScroll: true });
  }

  // holdsFocus reports whether the reader's focus is in el.
  function holdsFocus(el) {
    return !!el && el.contains(document.activeElement) && document.activeElement !== document.body;
  }

  // replace puts fresh in old's place. The focus, if it was in old, goes
  // to the same control in fresh, or to fresh itself; else it stays.
  function replace(old, fresh) {
    var active = document.activeElement;
    var had = holdsFocus(old);
    var at = had && active !== old ? [].indexOf.call(old.querySelectorAll(focusable), active) : -1;
    keepPlace(old, function () { old.replaceWith(fresh); });
    if (!had) return;
    var same = at >= 0 ? fresh.querySelectorAll(focusable)[at] : null;
    focusOn(same && same.tagName === active.tagName ? same : fresh);
  }

  // drop removes el; the focus, if it was in it, goes to next.
  function drop(el, next) {
    var had = holdsFocus(el);
    keepPlace(el, function () { el.remove(); });
    if (had) focusOn(next);
  }

  function newer(m) {
    return m.t > newestT || (m.t === newestT && m.id > newestID);
  }

  // embeds readies the embeds of an update that arrived. The page's policy
  // lets frames in only from the origins of the embeds it was read with:
  // those load when asked, as on the page; for the others the reader is
  // offered the page again, at this update, where they will.
  function embeds(el, m) {
    if (!m.frames) return;
    var link = el.querySelector(".live-time");
    el.querySelectorAll("figure.embed[data-embed-frame]").forEach(function (fig) {
      var origin = (fig.dataset.embedFrame.match(/^https:\/\/[a-z0-9.-]+(?::[0-9]{1,5})?/) || [""])[0];
      if (origin && frames.indexOf(origin) >= 0) {
        if (window.broadsheetEmbed) window.broadsheetEmbed(fig);
        return;
      }
      if (!link) return;
      var note = document.createElement("p");
      note.className = "embed-reload";
      var a = document.createElement("a");
      a.href = link.href;
      a.textContent = data.embedReload;
      note.appendChild(a);
      fig.appendChild(note);
    });
  }

  function fresh(m) {
    var el = element(m.html);
    embeds(el, m);
    return el;
  }

  // showOffer shows how many updates wait, or takes the offer away; the
  // focus, if it was on the offer, goes to instead or the newest update.
  function showOffer(instead) {
    if (!waiting.length) {
      if (offer) drop(offer, instead || stream.querySelector(".live-update") || heading);
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
        offer.href = data.newest;
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
      var el = fresh(m);
      firstNew = firstNew || el;
      fragment.appendChild(el);
    });
    stream.prepend(fragment);
    var empty = blog.querySelector(".empty");
    if (empty) empty.remove();
    showOffer(firstNew);
    // The button is gone: the focus goes where the reader asked to go.
    focusOn(firstNew);
  }

  function forget(id) {
    waiting = waiting.filter(function (m) { return m.id !== id; });
  }

  // after is what takes the focus when el goes: the update after it, or
  // before it, or the heading.
  function after(el, heading) {
    return el.nextElementSibling || el.previousElementSibling || heading;
  }

  function apply(m) {
    var el = document.getElementById("update-" + m.id);
    if (m.deleted) {
      forget(m.id);
      showOffer();
      if (el) drop(el, after(el, heading));
      document.querySelectorAll('.key-events a[href$="#update-' + m.id + '"]').forEach(function (a) {
        var item = a.closest("li");
        var next = after(item, document.getElementById("key-events-heading"));
        drop(item, next && next.querySelector("a") || next);
      });
      return;
    }
    if (el) {
      replace(el, fresh(m));
      return;
    }
    if (waiting.some(function (w) { return w.id === m.id; })) {
      forget(m.id); // edited before it was shown: its newest text waits
    } else if (!newer(m)) {
      return; // an update this page does not show, edited
    }
    waiting.push(m);
    showOffer();
  }

  // say puts a link in the polite region, once, and returns it.
  function say(className, text) {
    var a = region.querySelector("." + className);
    if (a) return a;
    a = document.createElement("a");
    a.className = className;
    a.href = location.pathname + location.search;
    a.textContent = text;
    region.appendChild(a);
    return a;
  }

  // setCoverage shows the coverage the stream says, as the page would.
  function setCoverage(m) {
    coverage = m.state;
    var kicker = document.querySelector(".story-head .kicker");
    var label = kicker && kicker.querySelector(".live-label");
    if (label && !m.label) {
      var space = label.nextSibling;
      if (space && space.nodeType === Node.TEXT_NODE && !space.data.trim()) space.remove();
      label.remove();
    } else if (kicker && !label && m.label) {
      kicker.prepend(element(m.label), " ");
    }
    var dateline = document.querySelector(".story-head .dateline");
    var line = dateline && dateline.querySelector(".live-ended");
    if (line) line.remove();
    if (dateline && m.ended) dateline.append(" ", element(m.ended));
    if (m.state === "ended") end();
  }

  // end closes the stream for good, the coverage over; the discussion's
  // changes go back to a stream of their own.
  function end() {
    ended = true;
    source.close();
    window.broadsheetDiscussion = null;
    discussion.dispatchEvent(new Event("stopped"));
  }

  function listen() {
    source = new EventSource(data.stream + "?since=" + encodeURIComponent(seq) + "&coverage=" + encodeURIComponent(coverage));
    source.addEventListener("open", function () {
      retryIn = 60;
      if (stopped) stopped.remove();
      stopped = null;
    });
    source.addEventListener("error", function () {
      // The browser reconnects by itself after a stream ends; it gives up
      // on a refusal or an error page. The reader is told, politely, and
      // the page asks again later, less often each time.
      if (ended || source.readyState !== EventSource.CLOSED) return;
      stopped = say("live-stopped", data.stopped);
      setTimeout(listen, retryIn * 1000);
      retryIn = Math.min(retryIn * 2, 600);
    });
    source.addEventListener("update", function (e) {
      if (e.lastEventId) seq = e.lastEventId;
      try {
        apply(JSON.parse(e.data));
      } catch (err) { /* one bad event does not stop the others */ }
    });
    source.addEventListener("coverage", function (e) {
      try {
        setCoverage(JSON.parse(e.data));
      } catch (err) { /* the label stays as it was */ }
    });
    source.addEventListener("changed", function () {
      discussion.dispatchEvent(new Event("changed"));
    });
    source.addEventListener("reload", function () {
      // More changed than the stream could say: offer the page afresh.
      waiting = [];
      showOffer(say("live-reload", data.reload));
    });
  }
  listen();
})();
