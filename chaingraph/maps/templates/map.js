// chaingraph map: draws the network from the JSON in #cg-data. Every text from the
// data is put into the page with textContent, never parsed as HTML, so names show as text.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("cg-data").textContent);

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function card(c) {
    var root = el("div", "cg-card");
    root.appendChild(el("div", "cg-card-title", c.title));
    if (c.subtitle) root.appendChild(el("div", "cg-card-sub", c.subtitle));
    c.lines.forEach(function (line) { root.appendChild(el("div", "cg-card-line", line)); });
    c.sections.forEach(function (section) {
      root.appendChild(el("div", "cg-card-h", section.heading));
      var list = el("ul");
      section.items.forEach(function (item) { list.appendChild(el("li", null, item)); });
      root.appendChild(list);
    });
    return root;
  }

  // vis-network shows an Element title as is, and a string title as text.
  data.nodes.forEach(function (n) { n.title = card(n.card); });
  data.edges.forEach(function (e) { e.title = card(e.card); });

  var nodes = new vis.DataSet(data.nodes);
  var edges = new vis.DataSet(data.edges);
  var container = document.getElementById("cg-network");
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, data.options);

  network.once("afterDrawing", function () {
    var drawn = Object.keys(network.getPositions()).length;
    document.body.setAttribute("data-drawn-nodes", String(drawn));
    document.body.setAttribute("data-ready", "true");
  });

  // Search: names containing the text are selected; Enter focuses the first.
  var input = document.getElementById("cg-search");
  var status = document.getElementById("cg-search-status");
  var options = document.getElementById("cg-search-options");
  data.nodes.forEach(function (n) {
    var option = document.createElement("option");
    option.value = n.name;
    options.appendChild(option);
  });

  function matches(text) {
    var q = text.trim().toLowerCase();
    if (!q) return [];
    var exact = data.nodes.filter(function (n) { return n.name.toLowerCase() === q; });
    var partial = data.nodes.filter(function (n) {
      return n.name.toLowerCase() !== q && n.name.toLowerCase().indexOf(q) >= 0;
    });
    return exact.concat(partial).map(function (n) { return n.id; });
  }

  function focus(id) {
    network.selectNodes([id]);
    network.focus(id, { scale: 1.2, animation: false });
  }

  input.addEventListener("input", function () {
    var found = matches(input.value);
    network.selectNodes(found);
    status.textContent = input.value.trim() ? found.length + " 个匹配" : "";
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter") {
      var found = matches(input.value);
      if (found.length) focus(found[0]);
    } else if (event.key === "Escape") {
      input.value = "";
      status.textContent = "";
      network.unselectAll();
      network.fit({ animation: false });
    }
  });
  input.addEventListener("change", function () {
    var found = matches(input.value);
    if (found.length) focus(found[0]);
  });

  // The same nodes as a table: readable without hovering, and searchable with Ctrl+F.
  var body = document.getElementById("cg-list-body");
  data.nodes.forEach(function (n) {
    var row = el("tr");
    row.setAttribute("data-node", n.id);
    row.appendChild(el("td", "cg-list-name", n.name));
    row.appendChild(el("td", "cg-list-group", n.group_label));
    row.appendChild(el("td", "cg-list-detail", n.card.lines.slice(0, 2).join(" · ")));
    row.addEventListener("click", function () { focus(n.id); });
    body.appendChild(row);
  });

  window.chaingraphMap = { network: network, nodes: nodes, edges: edges };
})();
