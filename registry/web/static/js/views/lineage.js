// Where a unit came from and where it went: predecessors to the left, successors to the right,
// across every reorganisation. Each edge is labelled with the change kind, the share and the act; an
// ambiguous split is several edges, never one silently picked.

import * as api from "../api.js";
import { h, fill } from "../dom.js";
import { t, term, fmtDate, fmtActDate } from "../i18n.js";
import { lastDay } from "../dates.js";
import { layout, Graph } from "../../vendor/dagre/dagre.esm.js";

const MAX_NODES = 80;
const MAX_HOPS = 20;

export async function renderLineage(ctx, main) {
  const { unit: id, at } = ctx.state;
  if (!id) {
    fill(main, h("p", { class: "hint" }, t("lineage.pick")));
    return;
  }
  fill(main, h("p", { class: "loading" }, t("loading")));
  const hist = await api.history(id);
  const root = versionOn(hist.versions, at);
  const nodes = new Map([[id, { ...root, id, side: "root", hops: 0 }]]);
  const edges = [];
  await walk(id, "predecessors", nodes, edges);
  await walk(id, "successors", nodes, edges);
  if (!ctx.current()) return;
  edges.splice(0, edges.length, ...edges.filter((e) => nodes.has(e.source) && nodes.has(e.target)));

  const preds = edges.filter((e) => e.target === id);
  // A phone gets smaller boxes and shorter labels (the act stays in the list below) and, if that
  // is still too wide, a diagram shrunk to at most 3/4 and then scrolled.
  const room = main.clientWidth - 20;
  const size = room < 600 ? COMPACT : WIDE;
  const box = h("div", { class: "diagram", tabindex: "0" }, diagram(nodes, edges, ctx, size, room));
  const succs = edges.filter((e) => e.source === id);
  fill(main, 
    h("h1", { class: "title" }, t("lineage.title", { name: root.name }),
      root.code ? h("span", { class: "code" }, root.code) : null),
    h("p", { class: "subtitle" },
      `${fmtDate(root.valid_from)} – ${root.valid_to ? fmtDate(lastDay(root.valid_to)) : t("present")}`, " · ",
      h("a", { href: ctx.urlFor({ view: "unit" }) }, t("view.unit"))),
    box,
    h("div", { class: "relations" },
      relationList(t("lineage.pred"), preds, nodes, "source", t("lineage.none_pred"), ctx, "pred"),
      relationList(t("lineage.succ"), succs, nodes, "target", t("lineage.none_succ"), ctx, "succ")),
  );
  // On a narrow screen the diagram scrolls: start with the unit itself in view.
  const rootBox = box.querySelector(".side-root rect");
  if (rootBox && box.scrollWidth > box.clientWidth) {
    const scale = box.scrollWidth / Number(box.querySelector("svg").getAttribute("viewBox").split(" ")[2]);
    const x = (Number(rootBox.getAttribute("x")) + size.w / 2) * scale;
    box.scrollLeft = x - box.clientWidth / 2;
  }
}

function versionOn(versions, at) {
  return versions.find((v) => v.valid_from <= at && (!v.valid_to || at < v.valid_to))
    ?? versions.at(-1);
}

/** Every step along one direction in one request; each step names its near side (from_id). */
async function walk(start, direction, nodes, edges) {
  const steps = await api.lineage(start, direction, MAX_HOPS);
  for (const raw of steps) {
    const step = normaliseStep(raw);
    const other = step.unit.id;
    const near = String(raw.from_id ?? start);
    if (!nodes.has(other)) {
      if (nodes.size >= MAX_NODES) continue;
      nodes.set(other, { ...step.unit, side: direction === "predecessors" ? "pred" : "succ",
        hops: raw.depth ?? 1 });
    }
    const [source, target] = direction === "predecessors" ? [other, near] : [near, other];
    if (!edges.some((e) => e.source === source && e.target === target && e.act?.id === step.act?.id)) {
      edges.push({ source, target, ...step });
    }
  }
}

function normaliseStep(s) {
  return {
    unit: api.unit(s.unit ?? s),
    edge: s.edge ?? s.edge_type ?? s.type_of_edge ?? "whole",
    share: s.share ?? null,
    change: s.change ?? s.change_kind ?? s.kind ?? null,
    on: s.on ?? null,
    act: s.act ?? null,
    clause: s.clause ?? null,
  };
}

const WIDE = { w: 210, h: 52, ranksep: 70, nameMax: 30, compact: false };
const COMPACT = { w: 140, h: 46, ranksep: 24, nameMax: 20, compact: true };

function edgeText(e, compact = false) {
  const share = e.share != null ? ` ${Math.round(e.share * 100)}%` : "";
  if (compact) {
    return [`${term("change", e.change)}${e.edge === "whole" ? "" : ` · ${term("edge", e.edge)}`}${share}`, ""];
  }
  return [`${term("change", e.change)} · ${term("edge", e.edge)}${share}`,
    e.act?.number ?? t("diff.unnumbered")];
}

function diagram(nodes, edges, ctx, size, room) {
  const g = new Graph({ multigraph: true });
  g.setGraph({ rankdir: "LR", nodesep: 14, ranksep: size.ranksep, edgesep: 10, marginx: 6, marginy: 6 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const [id] of nodes) g.setNode(id, { width: size.w, height: size.h });
  const labelH = size.compact ? 20 : 32;
  edges.forEach((e, i) => {
    const [a, b] = edgeText(e, size.compact);
    const width = Math.max(a.length, b.length) * 6.4 + 12;
    g.setEdge(e.source, e.target, { width, height: labelH, labelpos: "c" }, `e${i}`);
  });
  layout(g);
  const { width, height } = g.graph();
  const shown = width > room ? Math.max(room, width * 0.75) : width;

  const svg = h("svg", {
    class: size.compact ? "lineage compact" : "lineage",
    width: Math.ceil(shown), height: Math.ceil((height * shown) / width),
    viewBox: `0 0 ${Math.ceil(width)} ${Math.ceil(height)}`, role: "img",
    "aria-label": t("lineage.edges"),
  },
  h("defs", {}, h("marker", { id: "arrow", viewBox: "0 0 10 10", refX: "10", refY: "5",
    markerWidth: "7", markerHeight: "7", orient: "auto-start-reverse" },
  h("path", { d: "M 0 0 L 10 5 L 0 10 z", class: "arrowhead" }))));

  edges.forEach((e, i) => {
    const geo = g.edge({ v: e.source, w: e.target, name: `e${i}` });
    const d = geo.points.map((p, j) => `${j ? "L" : "M"}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(" ");
    const [a, b] = edgeText(e, size.compact);
    const [full, act] = edgeText(e);
    svg.append(h("g", { class: `edge e-${e.edge}`, "data-source": e.source, "data-target": e.target },
      h("path", { d, "marker-end": "url(#arrow)" }),
      h("g", { class: "edge-label", transform: `translate(${geo.x.toFixed(1)},${geo.y.toFixed(1)})` },
        h("rect", { x: -geo.width / 2, y: -labelH / 2, width: geo.width, height: labelH, rx: 4 }),
        b ? h("text", { y: -3, "text-anchor": "middle" }, a) : h("text", { y: 4, "text-anchor": "middle" }, a),
        b ? h("text", { y: 11, "text-anchor": "middle", class: "act" }, b) : null),
      h("title", {}, `${full} — ${act}${e.clause ? `, ${e.clause}` : ""}`
        + ` (${e.on ? fmtActDate(e.act, e.on) : ""})`)));
  });

  for (const [id, n] of nodes) {
    const geo = g.node(id);
    const x = geo.x - size.w / 2;
    const y = geo.y - size.h / 2;
    const name = n.name.length > size.nameMax ? `${n.name.slice(0, size.nameMax - 1)}…` : n.name;
    const until = n.valid_to ? fmtDate(lastDay(n.valid_to)) : t("present");
    const span = size.compact
      ? `${n.code ?? "—"} · ${n.valid_to ? `– ${until}` : `${fmtDate(n.valid_from)} –`}`
      : `${n.code ?? "—"} · ${fmtDate(n.valid_from)}–${until}`;
    const link = h("svg:a", { href: ctx.urlFor({ view: "lineage", unit: id }) },
      h("rect", { x, y, width: size.w, height: size.h, rx: 6 }),
      h("text", { x: geo.x, y: y + size.h * 0.41, "text-anchor": "middle", class: "n-name" }, name),
      h("text", { x: geo.x, y: y + size.h * 0.76, "text-anchor": "middle", class: "n-meta" }, span),
      h("title", {}, `${n.name} (${n.code ?? "—"}) ${n.type ?? ""}`));
    svg.append(h("g", { class: `node side-${n.side}`, "data-side": n.side, "data-id": id,
      "data-name": n.name }, link));
  }
  return svg;
}

function relationList(title, list, nodes, end, empty, ctx, side) {
  return h("section", { class: `relation ${side}` },
    h("h2", {}, `${title} (${list.length})`),
    list.length ? h("ul", {}, list.map((e) => {
      const n = nodes.get(e[end]);
      const [a] = edgeText(e);
      return h("li", { "data-side": side },
        h("a", { href: ctx.urlFor({ view: "lineage", unit: n.id }) }, n.name),
        n.code ? h("span", { class: "code" }, n.code) : null,
        h("span", { class: "extra" }, `${a} · ${e.act?.number ?? t("diff.unnumbered")}`
          + `${e.clause ? `, ${e.clause}` : ""} · ${fmtActDate(e.act, e.on)}`));
    })) : h("p", { class: "hint" }, empty));
}
