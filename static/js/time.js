// Dates in the reader's own language and time zone. The server writes each date as
// <time datetime="…UTC…" data-when="style">, already in the person's time zone (kept on their
// profile); here it is written again with the conventions of the page's language and the
// browser. When the browser's time zone differs from the one the page was written in, it is sent
// once so that later pages (and other devices) use it too. Styles match accounts/templatetags/dates.py.
(function () {
  "use strict";
  if (!window.Intl || !Intl.DateTimeFormat) return;
  var STYLES = {
    full: { weekday: "long", day: "numeric", month: "long", year: "numeric", hour: "numeric", minute: "2-digit" },
    date: { day: "numeric", month: "long", year: "numeric" },
    datetime: { day: "numeric", month: "short", year: "numeric", hour: "numeric", minute: "2-digit" },
    day: { day: "numeric", month: "long" },
    daytime: { day: "numeric", month: "long", hour: "numeric", minute: "2-digit" },
    weekdaytime: { weekday: "long", day: "numeric", month: "long", hour: "numeric", minute: "2-digit" },
    time: { hour: "numeric", minute: "2-digit", second: "2-digit" }
  };
  // The page's language (the reader's choice, base.html's <html lang>), in the browser's variant of
  // it when the browser speaks it (en-GB, de-AT): British dates for a British browser, German ones
  // for someone reading German pages in an English browser.
  var page = (document.documentElement.lang || "en").toLowerCase();
  var browser = (navigator.languages && navigator.languages[0]) || navigator.language || page;
  var language = browser.toLowerCase().split("-")[0] === page.split("-")[0] ? browser : page;

  function rewrite(root) {
    root.querySelectorAll("time[data-when]").forEach(function (element) {
      var style = STYLES[element.dataset.when];
      var moment = new Date(element.getAttribute("datetime"));
      if (!style || isNaN(moment.getTime())) return;
      try {
        element.textContent = new Intl.DateTimeFormat(language, style).format(moment);
      } catch (error) { /* keep the server's text */ }
    });
  }
  rewrite(document);
  // Parts of pages that refresh themselves (live participation) are rewritten too.
  new MutationObserver(function (changes) {
    changes.forEach(function (change) {
      change.addedNodes.forEach(function (node) { if (node.querySelectorAll) rewrite(node); });
    });
  }).observe(document.body, { childList: true, subtree: true });

  var meta = document.querySelector('meta[name="time-zone"]');
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  var token = document.querySelector('input[name="csrfmiddlewaretoken"]');
  if (meta && zone && token && meta.content !== zone && window.fetch) {
    var body = new FormData();
    body.append("time_zone", zone);
    body.append("csrfmiddlewaretoken", token.value);
    fetch(meta.dataset.url, { method: "POST", body: body, credentials: "same-origin" }).catch(function () {});
  }
})();
