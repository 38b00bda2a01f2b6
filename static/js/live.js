// Live sections: an element with data-live-url is replaced by a fresh copy of itself from that
// URL every data-live-seconds seconds (while the tab is visible). Used by HR's participation view.
(function () {
  "use strict";
  document.querySelectorAll("[data-live-url]").forEach(function (element) {
    var seconds = parseInt(element.dataset.liveSeconds || "30", 10);
    function refresh() {
      if (document.hidden) return;
      fetch(element.dataset.liveUrl, { headers: { "X-Requested-With": "fetch" }, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
        .then(function (html) { element.innerHTML = html; })
        .catch(function () { /* keep the last figures; the next tick tries again */ });
    }
    window.setInterval(refresh, seconds * 1000);
  });
})();
