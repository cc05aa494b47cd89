// chaingraph map: draws the network from the JSON in #cg-data. Every text from the
// data is put into the page with textContent (or as canvas/SVG text), never parsed as
// HTML, so names show as text. Positions come from the Python layout; nothing moves.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("cg-data").textContent);
  var view = data.view;
  var SVG_NS = "http://www.w3.org/2000/svg";
  var BAND_FILLS = ["#f4f6f9", "#eaeff5"];

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
  [data.nodes, data.edges, data.firms, data.firm_edges].forEach(function (items) {
    items.forEach(function (item) { item.title = card(item.card); });
  });
  var firmById = {};
  data.firms.forEach(function (f) { firmById[f.id] = f; });
  var segmentById = {};
  data.nodes.forEach(function (n) { segmentById[n.id] = n; });

  var nodes = new vis.DataSet(data.nodes);
  var edges = new vis.DataSet(data.edges);
  var container = document.getElementById("cg-network");
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, data.options);

  // Bands (one per chain, with its name) and stage headers, under the nodes.
  function drawBackground(ctx) {
    view.bands.forEach(function (band, i) {
      ctx.fillStyle = BAND_FILLS[i % 2];
      ctx.fillRect(band.x, band.y, band.width, band.height);
      ctx.fillStyle = "#1f2933";
      ctx.textAlign = "left";
      ctx.textBaseline = "top";
      ctx.font = "bold 18px " + view.font;
      var lines = band.title.split("\n");
      lines.forEach(function (line, k) { ctx.fillText(line, band.x + 12, band.y + 12 + k * 22); });
      ctx.fillStyle = "#52606d";
      ctx.font = "12px " + view.font;
      band.subtitle.split("\n").forEach(function (line, k) {
        if (line) ctx.fillText(line, band.x + 12, band.y + 18 + lines.length * 22 + k * 16);
      });
    });
    view.headers.forEach(function (h, i) {
      ctx.fillStyle = "#1f2933";
      ctx.textAlign = "center";
      ctx.textBaseline = "middle";
      ctx.font = "bold 18px " + view.font;
      ctx.fillText(h.text, h.x + h.width / 2, h.y + 20);
      if (i > 0) {
        ctx.strokeStyle = "#c5ccd3";
        ctx.setLineDash([4, 4]);
        ctx.beginPath();
        ctx.moveTo(h.x, h.y + 6);
        ctx.lineTo(h.x, view.height);
        ctx.stroke();
        ctx.setLineDash([]);
      }
    });
  }
  network.on("beforeDrawing", drawBackground);

  // The picture's extent: the layout's box and every drawn node's box.
  function bounds() {
    var box = { left: 0, top: 0, right: view.width, bottom: view.height };
    nodes.getIds().forEach(function (id) {
      var b = network.getBoundingBox(id);
      box.left = Math.min(box.left, b.left);
      box.top = Math.min(box.top, b.top);
      box.right = Math.max(box.right, b.right);
      box.bottom = Math.max(box.bottom, b.bottom);
    });
    return box;
  }

  // Open fitted to what is drawn: centred, as large as the window allows.
  function fit() {
    var box = bounds();
    var pad = 10;
    var width = container.clientWidth - 2 * pad;
    var height = container.clientHeight - 2 * pad;
    var scale = Math.min(width / (box.right - box.left), height / (box.bottom - box.top), view.max_scale);
    network.moveTo({
      position: { x: (box.left + box.right) / 2, y: (box.top + box.bottom) / 2 },
      scale: scale,
      animation: false
    });
  }
  fit();
  window.addEventListener("resize", function () { fit(); });

  network.once("afterDrawing", function () {
    var drawn = Object.keys(network.getPositions()).length;
    document.body.setAttribute("data-drawn-nodes", String(drawn));
    document.body.setAttribute("data-first-scale", String(network.getScale()));
    document.body.setAttribute("data-ready", "true");
  });

  // Firms: collapsed into their segment; a click on the segment shows or hides them.
  var expanded = {};
  function expand(segment) {
    var slots = data.slots[segment] || [];
    if (!slots.length || expanded[segment]) return;
    expanded[segment] = true;
    slots.forEach(function (slot) {
      var firm = slot[0];
      if (!nodes.get(firm)) {
        var node = Object.assign({}, firmById[firm], { x: slot[1], y: slot[2] });
        nodes.add(node);
      }
    });
    data.firm_edges.forEach(function (e) {
      if (e.from === segment && nodes.get(e.to) && !edges.get(e.id)) edges.add(e);
    });
  }
  function collapse(segment) {
    if (!expanded[segment]) return;
    delete expanded[segment];
    var keep = {};
    Object.keys(expanded).forEach(function (seg) {
      (data.slots[seg] || []).forEach(function (slot) { keep[slot[0]] = true; });
    });
    edges.remove(edges.getIds({ filter: function (e) { return e.from === segment && e.kind !== "flow"; } }));
    (data.slots[segment] || []).forEach(function (slot) {
      if (!keep[slot[0]]) nodes.remove(slot[0]);
    });
  }
  // While firms are shown, the rest of the map steps back and the view moves to them.
  function spotlight() {
    var open = Object.keys(expanded);
    var lit = {};
    open.forEach(function (seg) {
      lit[seg] = true;
      (data.slots[seg] || []).forEach(function (slot) { lit[slot[0]] = true; });
    });
    nodes.update(data.nodes.map(function (n) {
      return { id: n.id, opacity: !open.length || lit[n.id] ? 1 : 0.25 };
    }));
    edges.update(data.edges.map(function (e) {
      var colour = Object.assign({}, e.color || {}, {
        opacity: !open.length || lit[e.from] || lit[e.to] ? 1 : 0.15
      });
      return { id: e.id, color: colour };
    }));
    if (open.length) {
      network.fit({ nodes: Object.keys(lit), animation: false, maxZoomLevel: 1.4 });
    } else {
      fit();
    }
  }
  network.on("click", function (params) {
    if (params.nodes.length !== 1) return;
    var id = params.nodes[0];
    if (!segmentById[id] || !data.slots[id]) return;
    if (expanded[id]) collapse(id); else expand(id);
    spotlight();
  });

  // Search: names containing the text are selected; Enter focuses the first.
  var everything = data.nodes.concat(data.firms);
  var input = document.getElementById("cg-search");
  var status = document.getElementById("cg-search-status");
  var options = document.getElementById("cg-search-options");
  everything.forEach(function (n) {
    var option = document.createElement("option");
    option.value = n.name;
    options.appendChild(option);
  });

  function show(id) {
    if (nodes.get(id)) return;
    var segment = Object.keys(data.slots).find(function (seg) {
      return data.slots[seg].some(function (slot) { return slot[0] === id; });
    });
    if (segment) { expand(segment); spotlight(); }
  }

  function matches(text) {
    var q = text.trim().toLowerCase();
    if (!q) return [];
    var exact = everything.filter(function (n) { return n.name.toLowerCase() === q; });
    var partial = everything.filter(function (n) {
      return n.name.toLowerCase() !== q && n.name.toLowerCase().indexOf(q) >= 0;
    });
    return exact.concat(partial).map(function (n) { return n.id; });
  }

  function select(ids) {
    ids.forEach(show);
    network.selectNodes(ids.filter(function (id) { return nodes.get(id); }));
  }

  function focus(id) {
    show(id);
    network.selectNodes([id]);
    network.focus(id, { scale: Math.max(network.getScale(), 1.2), animation: false });
  }

  input.addEventListener("input", function () {
    var found = matches(input.value);
    select(found);
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
      Object.keys(expanded).forEach(collapse);
      spotlight();
    }
  });
  input.addEventListener("change", function () {
    var found = matches(input.value);
    if (found.length) focus(found[0]);
  });

  // The same nodes as a table: readable without hovering, and searchable with Ctrl+F.
  var body = document.getElementById("cg-list-body");
  everything.forEach(function (n) {
    var row = el("tr");
    row.setAttribute("data-node", n.id);
    row.appendChild(el("td", "cg-list-name", n.name));
    row.appendChild(el("td", "cg-list-group", n.group_label));
    row.appendChild(el("td", "cg-list-detail", n.card.lines.slice(0, 2).join(" · ")));
    row.addEventListener("click", function () { focus(n.id); });
    body.appendChild(row);
  });

  // ---- The picture for slides: the drawn map as SVG, with title, legend and as_of. ----
  var measurer = document.createElement("canvas").getContext("2d");
  function measure(text, size, bold) {
    measurer.font = (bold ? "bold " : "") + size + "px " + view.font;
    return measurer.measureText(text).width;
  }

  function svgEl(tag, attrs, text) {
    var node = document.createElementNS(SVG_NS, tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, String(attrs[k])); });
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function edgePath(from, to, a, b, sameColumn) {
    if (sameColumn) {
      var x = Math.max(a.right, b.right);
      return "M" + a.right + "," + from.y + " C" + (x + 40) + "," + from.y + " " + (x + 40) + "," + to.y + " " + b.right + "," + to.y;
    }
    var forward = to.x >= from.x;
    var x1 = forward ? a.right : a.left;
    var x2 = forward ? b.left : b.right;
    var dx = (x2 - x1) * 0.5;
    return "M" + x1 + "," + from.y + " C" + (x1 + dx) + "," + from.y + " " + (x2 - dx) + "," + to.y + " " + x2 + "," + to.y;
  }

  function toSVG(options) {
    options = options || {};
    var width = options.width || 1600;
    var pad = 28;
    var box = bounds();
    var mapW = box.right - box.left;
    var mapH = box.bottom - box.top;
    var s = Math.min((width - 2 * pad) / mapW, options.maxScale || 1.6);

    var head = svgEl("g", { "class": "cg-head" });
    head.appendChild(svgEl("text", { x: pad, y: pad + 22, "font-size": 26, "font-weight": "bold", fill: "#1f2933" }, data.meta.title));
    head.appendChild(svgEl("text", { x: pad, y: pad + 50, "font-size": 15, fill: "#3e4c59" }, data.meta.subtitle));
    var x = pad;
    var y = pad + 80;
    data.meta.legend.forEach(function (entry) {
      var parts = [[entry.label, true], [entry.meaning, false], [String(entry.count), false]];
      var w = 22 + parts.reduce(function (sum, p) { return sum + measure(p[0], 15, p[1]) + 8; }, 0);
      if (x + w > width - pad) { x = pad; y += 26; }
      head.appendChild(svgEl("rect", { x: x, y: y - 12, width: 16, height: 13, rx: 2, fill: entry.colour, stroke: "rgba(0,0,0,0.25)" }));
      var cx = x + 22;
      parts.forEach(function (p, i) {
        head.appendChild(svgEl("text", { x: cx, y: y, "font-size": 15, "font-weight": p[1] ? "bold" : "normal", fill: i === 1 ? "#616e7c" : "#1f2933" }, p[0]));
        cx += measure(p[0], 15, p[1]) + 8;
      });
      x += w + 14;
    });
    y += 24;
    head.appendChild(svgEl("text", { x: pad, y: y, "font-size": 13, fill: "#616e7c" }, data.meta.legend_note));
    data.meta.notes.forEach(function (note) {
      y += 20;
      head.appendChild(svgEl("text", { x: pad, y: y, "font-size": 13, fill: "#8a6d00" }, note));
    });
    var top = y + 18;
    var height = Math.ceil(top + mapH * s + pad);

    var svg = svgEl("svg", {
      width: width, height: height, viewBox: "0 0 " + width + " " + height,
      "font-family": view.font
    });
    svg.appendChild(svgEl("rect", { x: 0, y: 0, width: width, height: height, fill: "#ffffff" }));
    svg.appendChild(head);
    var left = (width - mapW * s) / 2;
    var map = svgEl("g", { transform: "translate(" + left + "," + top + ") scale(" + s + ") translate(" + (-box.left) + "," + (-box.top) + ")" });
    svg.appendChild(map);

    view.bands.forEach(function (band, i) {
      map.appendChild(svgEl("rect", { x: band.x, y: band.y, width: band.width, height: band.height, fill: BAND_FILLS[i % 2] }));
      var lines = band.title.split("\n");
      lines.forEach(function (line, k) {
        map.appendChild(svgEl("text", { x: band.x + 12, y: band.y + 28 + k * 22, "font-size": 18, "font-weight": "bold", fill: "#1f2933" }, line));
      });
      band.subtitle.split("\n").forEach(function (line, k) {
        if (line) map.appendChild(svgEl("text", { x: band.x + 12, y: band.y + 30 + lines.length * 22 + k * 16, "font-size": 12, fill: "#52606d" }, line));
      });
    });
    view.headers.forEach(function (h, i) {
      map.appendChild(svgEl("text", { x: h.x + h.width / 2, y: h.y + 26, "font-size": 18, "font-weight": "bold", "text-anchor": "middle", fill: "#1f2933" }, h.text));
      if (i > 0) map.appendChild(svgEl("line", { x1: h.x, y1: h.y + 6, x2: h.x, y2: view.height, stroke: "#c5ccd3", "stroke-dasharray": "4 4" }));
    });

    var positions = network.getPositions();
    var defs = svgEl("defs");
    var marker = svgEl("marker", { id: "cg-arrow", viewBox: "0 0 10 10", refX: 10, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto" });
    marker.appendChild(svgEl("path", { d: "M0,0 L10,5 L0,10 z", fill: "#9aa5b1" }));
    defs.appendChild(marker);
    svg.insertBefore(defs, svg.firstChild);
    edges.get().sort(function (p, q) { return (q.color ? 1 : 0) - (p.color ? 1 : 0); }).forEach(function (e) {
      var from = positions[e.from];
      var to = positions[e.to];
      if (!from || !to) return;
      var a = network.getBoundingBox(e.from);
      var b = network.getBoundingBox(e.to);
      var colour = (e.color && e.color.color) || "#9aa5b1";
      var attrs = { d: edgePath(from, to, a, b, Math.abs(from.x - to.x) < 1), fill: "none", stroke: colour, "stroke-width": e.width || 1.1 };
      if (e.dashes) attrs["stroke-dasharray"] = "5 4";
      else attrs["marker-end"] = "url(#cg-arrow)";
      map.appendChild(svgEl("path", attrs));
    });
    nodes.get().forEach(function (n) {
      var b = network.getBoundingBox(n.id);
      var dashed = n.shapeProperties && n.shapeProperties.borderDashes;
      var rect = { x: b.left, y: b.top, width: b.right - b.left, height: b.bottom - b.top, rx: 4, fill: n.color.background, stroke: n.color.border, "stroke-width": n.borderWidth };
      if (dashed) rect["stroke-dasharray"] = dashed.join(" ");
      map.appendChild(svgEl("rect", rect));
      map.appendChild(svgEl("text", {
        x: positions[n.id].x, y: positions[n.id].y, "font-size": n.font.size, fill: n.font.color,
        "text-anchor": "middle", "dominant-baseline": "central"
      }, n.label));
    });
    svg.appendChild(svgEl("text", { x: width - pad, y: height - 10, "font-size": 12, fill: "#9aa5b1", "text-anchor": "end" }, "chaingraph"));
    return { svg: new XMLSerializer().serializeToString(svg), width: width, height: height };
  }

  // For tests and the picture export: each drawn node's label box on screen.
  function labelBoxes() {
    var scale = network.getScale();
    return nodes.get().map(function (n) {
      var b = network.getBoundingBox(n.id);
      var tl = network.canvasToDOM({ x: b.left, y: b.top });
      var br = network.canvasToDOM({ x: b.right, y: b.bottom });
      return { id: n.id, kind: n.kind, label: n.label, font: n.font.size, px: n.font.size * scale,
               left: tl.x, top: tl.y, right: br.x, bottom: br.y };
    });
  }

  window.chaingraphMap = {
    network: network, nodes: nodes, edges: edges, data: data, fit: fit,
    expand: function (seg) { expand(seg); spotlight(); },
    collapse: function (seg) { collapse(seg); spotlight(); },
    toSVG: toSVG, labelBoxes: labelBoxes, canvasSize: function () {
      return { width: container.clientWidth, height: container.clientHeight };
    }
  };
})();
