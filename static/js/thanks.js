// The thank-you form: choosing the department brings its people and charter parameters in place.
// Without this script the "Show its people" button does the same with a full page load.
(function () {
  "use strict";
  var form = document.querySelector("[data-thanks-form]");
  if (!form || !window.fetch || !window.DOMParser) return;
  var select = form.querySelector("select[name=department]");
  var part = form.querySelector("[data-department-part]");
  var choose = form.querySelector("[data-choose]");
  if (!select || !part) return;
  if (choose) choose.hidden = true;

  select.addEventListener("change", function () {
    var url = location.pathname + "?department=" + encodeURIComponent(select.value);
    fetch(url, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) throw new Error(response.status);
      return response.text();
    }).then(function (html) {
      var page = new DOMParser().parseFromString(html, "text/html");
      var fresh = page.querySelector("[data-department-part]");
      if (fresh) part.replaceChildren.apply(part, Array.prototype.slice.call(fresh.childNodes));
    }).catch(function () {
      if (choose) choose.hidden = false; // fall back to the button
    });
  });
})();
