// The survey page: one department at a time, each form sent in the background.
// Without this script the page still works: every section is shown and every form is an ordinary
// post that comes back to the page. With it, the page is loaded once for the whole survey and each
// answer costs one small request, which keeps the site fast on the last afternoon before a deadline.
(function () {
  "use strict";
  var survey = document.querySelector("[data-survey]");
  if (!survey || !window.fetch || !window.FormData) return;

  var sections = Array.prototype.slice.call(survey.querySelectorAll("[data-survey-section]"));
  var message = survey.querySelector("[data-survey-message]");
  var finished = survey.querySelector("[data-survey-finished]");
  var total = sections.length;
  // The page's words, in the reader's language (templates/surveys/survey.html, #survey-words).
  var wordsBlock = document.getElementById("survey-words");
  var WORDS = wordsBlock ? JSON.parse(wordsBlock.textContent) : {};
  function word(key, fallback) { return WORDS[key] || fallback; }
  var BADGES = {
    completed: ["text-bg-success", word("completed", "Done")],
    declined: ["text-bg-secondary", word("declined", "No interaction")],
    draft: ["text-bg-warning", word("draft", "Draft")]
  };

  survey.classList.add("survey-stepper");

  function isPending(section) { return section.dataset.status === "pending"; }

  function stepLink(section) {
    return survey.querySelector('[data-step="' + section.id + '"]');
  }

  function show(section, focus) {
    sections.forEach(function (other) {
      var current = other === section;
      other.classList.toggle("is-current", current);
      var link = stepLink(other);
      if (link) {
        if (current) link.setAttribute("aria-current", "step");
        else link.removeAttribute("aria-current");
      }
    });
    finished.hidden = true;
    if (history.replaceState) history.replaceState(null, "", "#" + section.id);
    if (focus) section.querySelector("h2").focus();
  }

  function showFinished() {
    sections.forEach(function (section) { section.classList.remove("is-current"); });
    finished.hidden = false;
    finished.focus();
  }

  function nextPending(after) {
    var start = sections.indexOf(after);
    for (var i = 1; i <= total; i++) {
      var candidate = sections[(start + i) % total];
      if (isPending(candidate)) return candidate;
    }
    return null;
  }

  function setBadge(section, status) {
    var link = stepLink(section);
    if (!link) return;
    var holder = link.parentNode.querySelector("[data-step-status]");
    var badge = document.createElement("span");
    badge.className = "badge " + BADGES[status][0];
    badge.textContent = BADGES[status][1];
    holder.replaceChildren(badge);
  }

  function updateProgress() {
    var done = sections.filter(function (s) { return !isPending(s); }).length;
    var percent = Math.round(100 * done / total);
    survey.querySelector("[data-survey-done]").textContent = done;
    var progress = survey.querySelector("[data-survey-progress]");
    progress.setAttribute("aria-valuenow", percent);
    progress.firstElementChild.style.width = percent + "%";
  }

  function say(section, text, kind) {
    var box = section.querySelector("[data-section-message]");
    var note = document.createElement("div");
    note.className = "alert alert-" + kind;
    note.setAttribute("role", kind === "danger" ? "alert" : "status");
    note.textContent = text;
    box.replaceChildren(note);
  }

  // Errors from an earlier try stop being true once the answers change or a draft is saved.
  function clearErrors(scope) {
    scope.querySelectorAll("[data-form-errors], [data-field-error]").forEach(function (el) { el.remove(); });
    scope.classList.remove("border-danger");
    scope.querySelectorAll(".border-danger").forEach(function (el) { el.classList.remove("border-danger"); });
  }

  // The action-feedback question is optional: a chosen answer can be taken back (a radio button
  // alone cannot be unchosen), with a button shown once something is chosen. The form sends
  // whatever is chosen, like every other answer.
  function showClearButtons(scope) {
    scope.querySelectorAll("[data-clear-choice]").forEach(function (button) {
      button.hidden = !button.closest("fieldset").querySelector("input[type=radio]:checked");
    });
  }
  showClearButtons(survey);

  survey.addEventListener("change", function (event) {
    var question = event.target.closest("[data-question], [data-action-feedback]");
    if (question) clearErrors(question);
    if (question && question.hasAttribute("data-action-feedback")) showClearButtons(question);
  });

  survey.addEventListener("click", function (event) {
    var button = event.target.closest("[data-clear-choice]");
    if (!button) return;
    var group = button.closest("fieldset");
    var chosen = group.querySelector("input[type=radio]:checked");
    if (chosen) chosen.checked = false;
    clearErrors(group);
    showClearButtons(group);
    var first = group.querySelector("input[type=radio]");
    if (first) first.focus();
  });

  // Right after a department's ratings are in: "Want to thank someone at …?" (the same markup as
  // templates/surveys/_thanks_prompt.html), linking to the thank-you form and back here.
  var thanksUrl = survey.dataset.thanksUrl;
  var thanksSlot = document.querySelector("[data-survey-thanks]");
  function thanksPrompt(section) {
    var link = stepLink(section);
    var name = link ? link.textContent : section.id;
    var prompt = document.createElement("p");
    prompt.className = "mt-2 mb-0";
    prompt.setAttribute("data-thanks-prompt", "");
    prompt.append(word("thankPrompt", "Want to thank someone at %(name)s?").replace("%(name)s", name) + " ");
    var button = document.createElement("a");
    button.className = "btn btn-sm btn-outline-primary ms-1";
    button.href = thanksUrl + "?department=" + encodeURIComponent(section.id) +
      "&next=" + encodeURIComponent(location.pathname + "#" + section.id);
    button.textContent = word("sayThanks", "Say thank you");
    var hidden = document.createElement("span");
    hidden.className = "visually-hidden";
    hidden.textContent = " " + word("sayThanksTo", "to %(name)s").replace("%(name)s", name);
    button.append(hidden);
    prompt.append(button);
    return prompt;
  }

  function answered(section, status, text) {
    section.dataset.status = status;
    var note = document.createElement("p");
    note.className = "alert mb-0 " + (status === "completed" ? "alert-success" : "alert-light border");
    note.textContent = text;
    var body = section.querySelector("[data-section-body]");
    body.replaceChildren(note);
    if (status === "completed" && thanksUrl) body.append(thanksPrompt(section));
    section.querySelector("[data-section-message]").replaceChildren();
    setBadge(section, status);
    updateProgress();
    var next = nextPending(section);
    message.textContent = text + (next ? "" : " " + word("lastOne", "That was the last one."));
    message.hidden = false;
    // The prompt sits beside the message, not in it: the live region says what happened, only that.
    if (thanksSlot) {
      thanksSlot.replaceChildren();
      if (status === "completed" && thanksUrl) thanksSlot.append(thanksPrompt(section));
      thanksSlot.hidden = !thanksSlot.childElementCount;
    }
    if (next) show(next, true);
    else showFinished();
  }

  function send(form, submitter) {
    var section = form.closest("[data-survey-section]");
    var data = new FormData(form);
    if (submitter && submitter.name) data.append(submitter.name, submitter.value);
    var buttons = form.querySelectorAll("button");
    buttons.forEach(function (button) { button.disabled = true; });
    fetch(form.getAttribute("action"), { // not form.action: the buttons named "action" hide it
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { Accept: "application/json" }
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (type.indexOf("application/json") !== 0) {
        // Signed out (a redirect to the sign-in page) or a server error page.
        return { status: response.status, body: { error: word("sessionEnded", "Your answers were not saved: your session may have ended. Reload the page (sign in again if asked) and try again.") } };
      }
      return response.json().then(function (body) { return { status: response.status, body: body }; });
    }).then(function (result) {
      var body = result.body;
      if (result.status === 200 && body.status === "draft") {
        clearErrors(section);
        say(section, body.message, "success");
        setBadge(section, "draft");
      } else if (result.status === 200) {
        answered(section, body.status, body.message);
      } else if (result.status === 400 && body.form) {
        var holder = document.createElement("div");
        holder.innerHTML = body.form; // rendered, and escaped, by the server's template
        var replacement = holder.querySelector("form");
        form.replaceWith(replacement);
        showClearButtons(replacement);
        var errors = section.querySelector("[data-form-errors]");
        if (errors) errors.focus();
      } else {
        say(section, body.error || word("failed", "Something went wrong. Nothing was changed."), "danger");
      }
    }).catch(function () {
      say(section, word("offline", "Nothing was sent: the connection failed. Check it and try again."), "danger");
    }).finally(function () {
      buttons.forEach(function (button) { button.disabled = false; });
    });
  }

  // Which button sent the form (event.submitter is missing in older browsers, and a draft must
  // never be sent as a final submission).
  var lastClicked = null;
  survey.addEventListener("click", function (event) {
    var button = event.target.closest("button[name]");
    if (button) lastClicked = button;
  }, true);

  survey.addEventListener("submit", function (event) {
    var form = event.target.closest("[data-survey-form]");
    if (!form) return;
    event.preventDefault();
    var submitter = event.submitter || (lastClicked && lastClicked.form === form ? lastClicked : null);
    send(form, submitter);
  });

  survey.addEventListener("click", function (event) {
    var link = event.target.closest("[data-step]");
    if (!link) return;
    event.preventDefault();
    show(document.getElementById(link.dataset.step), true);
  });

  var wanted = location.hash && document.getElementById(location.hash.slice(1));
  var first = sections.indexOf(wanted) >= 0 ? wanted : sections.filter(isPending)[0];
  if (first) show(first, false);
  else showFinished();
})();
