// The value chain map (templates/scorecards/value_chain.html): draws scorecards:value_chain_data
// with cytoscape and the dagre layout, left to right. The search, the "focus on" list and the
// details panel work from the keyboard; the text version shows the same without any script.
// Its words come from the page (the "vc-words" JSON block, in the reader's language).
(function () {
  "use strict";

  document.querySelectorAll("form[data-autosubmit] select").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });

  var root = document.getElementById("value-chain");
  // cytoscape-dagre registers its layout itself when loaded after cytoscape.
  if (!root || !window.cytoscape) return;

  // The heatmap's colours (static/css/portal.css .heat-*): fills for departments, darker lines for arrows.
  var FILL = { "heat-m2": "#e35d6a", "heat-m1": "#f5b3ba", "heat-0": "#fbeee0", "heat-p1": "#a3cfbb", "heat-p2": "#479f76" };
  var LINE = { "heat-m2": "#b02a37", "heat-m1": "#e35d6a", "heat-0": "#cc9a06", "heat-p1": "#479f76", "heat-p2": "#146c43" };
  var GREY_FILL = "#dee2e6";
  var GREY_LINE = "#6c757d";

  var panel = document.getElementById("vc-panel");
  var panelBody = document.getElementById("vc-panel-body");
  var search = document.getElementById("vc-search");
  var searchStatus = document.getElementById("vc-search-status");
  var matches = document.getElementById("vc-matches");
  var focusForm = document.getElementById("vc-focus-form");
  var focusSelect = document.getElementById("vc-focus");
  var showAll = document.getElementById("vc-show-all");
  var cy = null;
  var data = null;
  var wordsBlock = document.getElementById("vc-words");
  var WORDS = wordsBlock ? JSON.parse(wordsBlock.textContent) : {};

  // A phrase with its %(name)s placeholders filled in.
  function say(key, values) {
    return (WORDS[key] || "").replace(/%\((\w+)\)s/g, function (_, name) { return String((values || {})[name]); });
  }

  function el(tag, text, attrs) {
    var node = document.createElement(tag);
    if (text) node.textContent = text;
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    return node;
  }

  function figureText(figure) {
    if (!figure) return say("no_results");
    if (!figure.shown) return figure.note;
    return figure.mean.toFixed(1) + " " + figure.status_label;
  }

  function nodeLabel(node) {
    var label = node.name + (node.front_line ? "\n" + say("front_line") : "");
    if (!data.cycle || !node.index) return label;
    if (node.index.shown) return label + "\n" + figureText(node.index);
    return label + "\n" + (node.index.note === WORDS.not_enough ? say("too_few") : say("not_rated"));
  }

  function elements() {
    var list = [];
    data.nodes.forEach(function (node) {
      var shown = node.index && node.index.shown;
      list.push({ group: "nodes", data: {
        id: node.id, label: nodeLabel(node), fill: shown ? FILL[node.index.heat] : GREY_FILL,
        shape: node.front_line ? "hexagon" : "round-rectangle", border: node.front_line ? 4 : 1,
      } });
    });
    data.edges.forEach(function (edge) {
      var rating = edge.rating;
      var shown = rating && rating.shown;
      list.push({ group: "edges", data: {
        id: edge.id, source: edge.source, target: edge.target,
        line: shown ? LINE[rating.heat] : GREY_LINE,
        style: shown || !data.cycle ? "solid" : "dashed",
      } });
    });
    return list;
  }

  var byId = {};

  function layout(collection) {
    // Left to right, from the back office to the front line; top to bottom on a narrow screen.
    var narrow = root.clientWidth < 600;
    (collection || cy.elements(":visible")).layout({
      name: "dagre", rankDir: narrow ? "TB" : "LR", nodeSep: narrow ? 16 : 24, rankSep: narrow ? 50 : 30, edgeSep: 6,
      padding: 12, fit: true, animate: false,
    }).run();
  }

  function clearPanel() { while (panelBody.firstChild) panelBody.removeChild(panelBody.firstChild); }

  function departmentLinks(node, container) {
    var item = el("p", "", { class: "small mb-1" });
    var link = el("a", say("charter_link", { name: node.name }), { href: node.url });
    item.appendChild(link);
    if (node.scorecard_url) {
      item.appendChild(document.createTextNode(" · "));
      item.appendChild(el("a", say("scorecard"), { href: node.scorecard_url }));
    }
    container.appendChild(item);
  }

  function showEdge(id) {
    var edge = data.edges.find(function (e) { return e.id === id; });
    if (!edge) return;
    var provider = byId[edge.source], consumer = byId[edge.target];
    clearPanel();
    panelBody.appendChild(el("h3", provider.name + " → " + consumer.name, { class: "h6 mb-1" }));
    panelBody.appendChild(el("p", say(consumer.front_line ? "serves_front_line" : "serves", { provider: provider.name, consumer: consumer.name }), { class: "small mb-2" }));
    var list = el("dl", "", { class: "small mb-2 vc-figures" });
    function row(term, value) { list.appendChild(el("dt", term)); list.appendChild(el("dd", value, { class: "mb-1" })); }
    row(say("provider"), provider.name);
    row(say("consumer"), consumer.name + (consumer.front_line ? " " + say("front_line") : ""));
    if (!data.cycle) {
      row(say("rating"), say("no_results_yet"));
    } else {
      var rating = edge.rating;
      var words = say("rating_of", { consumer: consumer.name, provider: provider.name });
      if (rating.shown) {
        row(words, say("against", { mean: rating.mean.toFixed(1), target: rating.target.toFixed(1), status: rating.status_label }));
      } else {
        row(words, rating.note);
      }
      row(say("overall", { name: provider.name }), figureText(provider.index));
    }
    panelBody.appendChild(list);
    departmentLinks(provider, panelBody);
    departmentLinks(consumer, panelBody);
  }

  function open(node) { window.location.href = node.scorecard_url || node.url; }

  function focusOn(code) {
    var node = cy.getElementById(code);
    if (!code || node.empty()) { showEverything(); return; }
    var hood = node.closedNeighborhood();
    hood = hood.union(hood.nodes().closedNeighborhood());
    cy.batch(function () {
      cy.elements().addClass("hidden");
      hood.removeClass("hidden");
      cy.elements().removeClass("current");
      node.addClass("current");
    });
    layout(hood);
    searchStatus.textContent = say("focused", { name: byId[code].name, count: hood.nodes().length - 1 });
  }

  var positions = {};  // the whole map's layout, restored by "show all" (hidden nodes have no size to lay out)

  function showEverything() {
    cy.batch(function () {
      cy.elements().removeClass("hidden current");
      cy.nodes().forEach(function (node) { node.position(positions[node.id()]); });
    });
    cy.fit(cy.elements(), 20);
    searchStatus.textContent = say("all", { count: data.nodes.length });
  }

  function setAddress(code) {
    var url = new URL(window.location.href);
    if (code) url.searchParams.set("focus", code); else url.searchParams.delete("focus");
    window.history.replaceState(null, "", url);
  }

  function runSearch() {
    var query = search.value.trim().toLowerCase();
    while (matches.firstChild) matches.removeChild(matches.firstChild);
    cy.elements().removeClass("faded matched");
    if (!query) { searchStatus.textContent = ""; return; }
    var found = data.nodes.filter(function (n) {
      return n.name.toLowerCase().indexOf(query) !== -1 || n.id.toLowerCase().indexOf(query) !== -1;
    });
    var ids = {};
    found.forEach(function (n) { ids[n.id] = true; });
    cy.batch(function () {
      cy.nodes().forEach(function (node) { node.addClass(ids[node.id()] ? "matched" : "faded"); });
      cy.edges().addClass("faded");
    });
    searchStatus.textContent = found.length === 1 ? say("one_match") : say("matches", { count: found.length });
    found.slice(0, 10).forEach(function (node) {
      var item = el("li", "", { class: "d-flex flex-wrap align-items-center gap-2 mb-1" });
      item.appendChild(el("a", node.name, { href: node.scorecard_url || node.url }));
      var button = el("button", say("focus"), { type: "button", class: "btn btn-sm btn-outline-primary py-0" });
      button.appendChild(el("span", " " + say("focus_on", { name: node.name }), { class: "visually-hidden" }));
      button.addEventListener("click", function () {
        focusSelect.value = node.id;
        focusOn(node.id);
        setAddress(node.id);
      });
      item.appendChild(button);
      matches.appendChild(item);
    });
    if (found.length > 10) matches.appendChild(el("li", say("more", { count: found.length - 10 }), { class: "text-body-secondary" }));
  }

  function draw(payload) {
    data = payload;
    data.nodes.forEach(function (n) { byId[n.id] = n; });
    cy = window.cytoscape({
      container: root,
      elements: elements(),
      minZoom: 0.05,
      maxZoom: 3,
      boxSelectionEnabled: false,
      style: [
        { selector: "node", style: {
          label: "data(label)", "text-wrap": "wrap", "text-max-width": 96, "text-valign": "center", "text-halign": "center",
          "font-size": 11, color: "#212529", "background-color": "data(fill)", shape: "data(shape)",
          "border-width": "data(border)", "border-color": "#343a40", width: 100, height: 42,
        } },
        { selector: "edge", style: {
          width: 2, "line-color": "data(line)", "line-style": "data(style)", "target-arrow-shape": "triangle",
          "target-arrow-color": "data(line)", "curve-style": "bezier", "arrow-scale": 0.9,
        } },
        { selector: ".hidden", style: { display: "none" } },
        { selector: ".faded", style: { opacity: 0.2 } },
        { selector: ".matched, .current", style: { "border-width": 5, "border-color": "#0d6efd" } },
        { selector: "edge:selected", style: { width: 5 } },
      ],
    });
    window.valueChainMap = cy;  // the browser tests find nodes and arrows on the canvas through it
    layout(cy.elements());
    cy.nodes().forEach(function (node) { positions[node.id()] = Object.assign({}, node.position()); });
    cy.on("tap", "node", function (event) { open(byId[event.target.id()]); });
    cy.on("tap", "edge", function (event) {
      showEdge(event.target.id());
      panel.focus({ preventScroll: true });
    });
    cy.on("mouseover", "node, edge", function () { root.style.cursor = "pointer"; });
    cy.on("mouseout", "node, edge", function () { root.style.cursor = ""; });

    document.getElementById("vc-zoom").hidden = false;
    document.querySelectorAll("[data-zoom]").forEach(function (button) {
      button.addEventListener("click", function () {
        var how = button.getAttribute("data-zoom");
        if (how === "fit") { cy.fit(cy.elements(":visible"), 20); return; }
        var center = { x: root.clientWidth / 2, y: root.clientHeight / 2 };
        cy.zoom({ level: cy.zoom() * (how === "in" ? 1.25 : 0.8), renderedPosition: center });
      });
    });
    search.addEventListener("input", runSearch);
    document.getElementById("vc-search-form").addEventListener("submit", function (event) { event.preventDefault(); runSearch(); });
    focusForm.addEventListener("submit", function (event) {
      event.preventDefault();
      focusOn(focusSelect.value);
      setAddress(focusSelect.value);
    });
    showAll.addEventListener("click", function (event) {
      event.preventDefault();
      focusSelect.value = "";
      showEverything();
      setAddress("");
    });
    var note = document.getElementById("vc-focus-note");  // the page's own note: the status line says it from now on
    if (note) note.remove();
    if (root.dataset.focus) focusOn(root.dataset.focus);
  }

  fetch(root.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (response) {
      if (!response.ok) throw new Error("status " + response.status);
      return response.json();
    })
    .then(draw)
    .catch(function () {
      clearPanel();
      panelBody.appendChild(el("p", say("failed"), { class: "small mb-0" }));
    });
})();
