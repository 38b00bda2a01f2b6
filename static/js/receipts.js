// Receipt codes of anonymous concerns: copy one, keep it in this browser (local storage, never sent
// anywhere), and open a kept one from My concerns. The code travels in a form's body, never in an address.
(function () {
  "use strict";
  var KEY = "survey-portal:receipts";

  function kept() {
    try { return JSON.parse(window.localStorage.getItem(KEY)) || []; } catch (e) { return []; }
  }
  function store(list) {
    try { window.localStorage.setItem(KEY, JSON.stringify(list)); return true; } catch (e) { return false; }
  }

  var box = document.querySelector("[data-receipt]");
  if (box) {
    var status = document.querySelector("[data-receipt-status]");
    var code = box.getAttribute("data-receipt");
    // The words come translated from the page (templates/concerns/raised.html).
    var copyFailed = box.dataset.copyFailedText || "Select the code and copy it.";
    box.querySelector("[data-copy-receipt]").addEventListener("click", function () {
      var done = function () { status.textContent = box.dataset.copiedText || "Copied. Paste it somewhere only you can read."; };
      if (navigator.clipboard) {
        navigator.clipboard.writeText(code).then(done, function () { status.textContent = copyFailed; });
      } else {
        status.textContent = copyFailed;
      }
    });
    box.querySelector("[data-keep-receipt]").addEventListener("click", function () {
      var list = kept().filter(function (item) { return item.code !== code; });
      list.push({ code: code, department: box.getAttribute("data-department"), saved: new Date().toISOString().slice(0, 10) });
      status.textContent = store(list)
        ? box.dataset.keptText || "Kept in this browser. Open it from My concerns."
        : box.dataset.keepFailedText || "This browser does not allow keeping it: copy the code instead.";
    });
  }

  var section = document.querySelector("[data-kept-receipts]");
  var form = document.querySelector(".receipt-form");
  if (section && form) {
    var list = kept();
    // The words come translated from the page (templates/concerns/mine.html).
    var words = section.dataset;
    var fill = function (text, item) {
      return text.replace("%(department)s", item.department).replace("%(saved)s", item.saved);
    };
    var ul = section.querySelector("[data-kept-list]");
    list.forEach(function (item) {
      var li = document.createElement("li");
      li.className = "d-flex flex-wrap align-items-center gap-2 mb-2";
      var open = document.createElement("button");
      open.type = "button";
      open.className = "btn btn-sm btn-outline-primary";
      open.textContent = fill(words.openText || "Open: %(department)s (%(saved)s)", item);
      open.addEventListener("click", function () {
        form.querySelector("input[name=code]").value = item.code;
        form.submit();
      });
      var forget = document.createElement("button");
      forget.type = "button";
      forget.className = "btn btn-sm btn-link";
      forget.textContent = words.forgetText || "Forget";
      forget.setAttribute("aria-label", fill(words.forgetLabel || "Forget the code for %(department)s kept on %(saved)s", item));
      forget.addEventListener("click", function () {
        store(kept().filter(function (other) { return other.code !== item.code; }));
        li.remove();
        if (!ul.children.length) { section.hidden = true; }
      });
      li.appendChild(open);
      li.appendChild(forget);
      ul.appendChild(li);
    });
    section.hidden = list.length === 0;
  }
})();
