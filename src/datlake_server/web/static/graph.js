// The lineage graph's pan, zoom and find: drag to move, wheel or +/- to zoom, Fit to see it all,
// Find to centre the first node whose name contains the text. Hovering a node marks its edges.
"use strict";
(function () {
  const svg = document.getElementById("lineage");
  const box = document.getElementById("graph");
  if (!svg || !box || !svg.viewBox.baseVal) return;
  const whole = svg.getAttribute("viewBox").split(" ").map(Number);
  let view = whole.slice();
  const show = () => svg.setAttribute("viewBox", view.map((v) => v.toFixed(1)).join(" "));
  const zoom = (factor, cx, cy) => {
    const [x, y, w, h] = view;
    const fx = cx === undefined ? 0.5 : cx, fy = cy === undefined ? 0.5 : cy;
    const nw = Math.min(Math.max(w * factor, 50), whole[2] * 4 + 2000);
    const nh = nw * (h / w);
    view = [x + (w - nw) * fx, y + (h - nh) * fy, nw, nh];
    show();
  };
  const fit = () => { view = whole.slice(); show(); };
  const centre = (node) => {
    const r = node.querySelector("rect").getBBox();
    const w = Math.min(whole[2], 1400), h = w * (box.clientHeight / Math.max(box.clientWidth, 1));
    view = [r.x + r.width / 2 - w / 2, r.y + r.height / 2 - h / 2, w, h];
    show();
  };
  // start near the root when the whole graph is too big to read
  const root = svg.querySelector(".node.root");
  if (root && whole[3] > 2000) centre(root);

  box.addEventListener("wheel", (event) => {
    event.preventDefault();
    const r = svg.getBoundingClientRect();
    zoom(event.deltaY > 0 ? 1.2 : 1 / 1.2, (event.clientX - r.left) / r.width,
         (event.clientY - r.top) / r.height);
  }, { passive: false });
  let drag = null;
  box.addEventListener("pointerdown", (event) => {
    if (event.target.closest("a")) return; // a click on a node opens its page
    drag = { x: event.clientX, y: event.clientY, view: view.slice() };
    box.classList.add("dragging");
  });
  window.addEventListener("pointermove", (event) => {
    if (!drag) return;
    const scale = view[2] / svg.getBoundingClientRect().width;
    view = [drag.view[0] - (event.clientX - drag.x) * scale,
            drag.view[1] - (event.clientY - drag.y) * scale, view[2], view[3]];
    show();
  });
  window.addEventListener("pointerup", () => { drag = null; box.classList.remove("dragging"); });
  const on = (id, handler) => { const el = document.getElementById(id); if (el) el.addEventListener("click", handler); };
  on("fit", fit);
  on("zoom-in", () => zoom(1 / 1.5));
  on("zoom-out", () => zoom(1.5));

  const find = document.getElementById("find");
  if (find) find.addEventListener("input", () => {
    const text = find.value.trim().toLowerCase();
    let first = null;
    svg.querySelectorAll(".node").forEach((node) => {
      const hit = text !== "" && node.dataset.name.toLowerCase().includes(text);
      node.classList.toggle("found", hit);
      if (hit && !first) first = node;
    });
    if (first) centre(first);
  });

  const edges = Array.from(svg.querySelectorAll(".edge"));
  svg.querySelectorAll(".node").forEach((node) => {
    const id = node.dataset.id;
    const near = edges.filter((e) => e.dataset.source === id || e.dataset.target === id);
    node.addEventListener("mouseenter", () => near.forEach((e) => e.classList.add("near")));
    node.addEventListener("mouseleave", () => near.forEach((e) => e.classList.remove("near")));
  });
})();
