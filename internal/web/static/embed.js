// Embed placeholders (figure.embed, written by internal/markup) load
// nothing from their provider until the reader asks. This adds to each a
// button that puts the provider's frame in place of the placeholder's
// picture and link, and a line saying the provider may then set cookies.
// Without it the placeholder is a link to the provider's page. The page's
// Content-Security-Policy allows frames from its placeholders' origins
// only. The words come from the script element's data attributes, in the
// page's language, with {provider} where the provider's name goes. A live
// blog's update that arrives later is readied by live.js through
// window.broadsheetEmbed, when the page's policy allows its frame.
(function () {
  "use strict";
  var words = (document.currentScript && document.currentScript.dataset) || {};
  var ratioForm = /^[1-9][0-9]{0,4}\/[1-9][0-9]{0,4}$/;

  function say(message, provider) {
    return (message || "").split("{provider}").join(provider);
  }

  function ready(fig) {
    var frame;
    try {
      frame = new URL(fig.dataset.embedFrame);
    } catch (e) {
      return;
    }
    if (frame.protocol !== "https:") return;
    var link = fig.querySelector(":scope > a");
    if (!link) return;
    var provider = fig.dataset.embedProvider || frame.hostname;
    var ratio = ratioForm.test(fig.dataset.embedRatio || "") ? fig.dataset.embedRatio : "16/9";
    // A style property set from a script, which the policy allows, unlike
    // a style attribute.
    fig.style.setProperty("--embed-ratio", ratio.replace("/", " / "));
    var title = link.textContent.trim() || provider;

    var consent = document.createElement("div");
    consent.className = "embed-consent";
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = say(words.load, provider);
    var notice = document.createElement("p");
    notice.textContent = say(words.notice, provider);
    consent.append(button, notice);
    link.after(consent);

    button.addEventListener("click", function () {
      var iframe = document.createElement("iframe");
      iframe.setAttribute("sandbox", "allow-scripts allow-same-origin allow-popups allow-presentation");
      iframe.setAttribute("allow", "fullscreen; encrypted-media; picture-in-picture");
      iframe.setAttribute("referrerpolicy", "strict-origin-when-cross-origin");
      iframe.setAttribute("loading", "lazy");
      iframe.title = title;
      iframe.src = frame.href;
      link.replaceWith(iframe);
      consent.remove();
      // The reader asked for it: the frame is where they are now.
      iframe.focus();
    });
  }

  document.querySelectorAll("figure.embed[data-embed-frame]").forEach(ready);
  window.broadsheetEmbed = ready;
})();
