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
    box.querySelector("[data-copy-receipt]").addEventListener("click", function () {
      var done = function () { status.textContent = "Copied. Paste it somewhere only you can read."; };
      if (navigator.clipboard) {
        navigator.clipboard.writeText(code).then(done, function () { status.textContent = "Select the code and copy it."; });
      } else {
        status.textContent = "Select the code and copy it.";
      }
    });
    box.querySelector("[data-keep-receipt]").addEventListener("click", function () {
      var list = kept().filter(function (item) { return item.code !== code; });
      list.push({ code: code, department: box.getAttribute("data-department"), saved: new Date().toISOString().slice(0, 10) });
      status.textContent = store(list)
        ? "Kept in this browser. Open it from My concerns."
        : "This browser does not allow keeping it: copy the code instead.";
    });
  }

  var section = document.querySelector("[data-kept-receipts]");
  var form = document.querySelector(".receipt-form");
  if (section && form) {
    var list = kept();
    var ul = section.querySelector("[data-kept-list]");
    list.forEach(function (item) {
      var li = document.createElement("li");
      li.className = "d-flex flex-wrap align-items-center gap-2 mb-2";
      var open = document.createElement("button");
      open.type = "button";
      open.className = "btn btn-sm btn-outline-primary";
      open.textContent = "Open: " + item.department + " (" + item.saved + ")";
      open.addEventListener("click", function () {
        form.querySelector("input[name=code]").value = item.code;
        form.submit();
      });
      var forget = document.createElement("button");
      forget.type = "button";
      forget.className = "btn btn-sm btn-link";
      forget.textContent = "Forget";
      forget.setAttribute("aria-label", "Forget the code for " + item.department + " kept on " + item.saved);
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
