// The structure of a province or organisation as it stood on a date: counts per level, then the tree.

import * as api from "../api.js";
import { h, fill } from "../dom.js";
import { t, term, fmtDate } from "../i18n.js";
import { addDays } from "../dates.js";

const LEVEL_ORDER = ["province", "district", "commune"];

export async function renderTree(ctx, main) {
  const { unit: id, at } = ctx.state;
  if (!id) {
    await renderCountry(ctx, main);
    return;
  }
  fill(main, h("p", { class: "loading" }, t("loading")));
  let root;
  try {
    root = await api.unitAt(id, at);
  } catch (err) {
    if (err.status !== 404) throw err;
    const known = await api.history(id).catch(() => null);
    if (!ctx.current()) return;
    const name = known?.versions?.at(-1)?.name ?? "";
    // Offer the nearest day on which it did exist: its last day, or its first.
    const existed = known?.ended && known.ended <= at ? addDays(known.ended, -1) : known?.began;
    fill(main, h("p", { class: "absent", role: "status" },
      t("tree.absent", { name, date: fmtDate(at) }), " ",
      existed ? h("a", { href: ctx.urlFor({ at: existed }) }, t("tree.as_of", { date: fmtDate(existed) }))
        : null, existed ? " · " : null,
      h("a", { href: ctx.urlFor({ view: "unit" }) }, t("view.unit"))));
    return;
  }
  const units = await api.subtree(id, at);
  if (!ctx.current()) return;

  const children = new Map();
  for (const u of units) {
    if (!children.has(u.parent_id)) children.set(u.parent_id, []);
    children.get(u.parent_id).push(u);
  }
  for (const list of children.values()) list.sort(byCode);

  fill(main, 
    h("h1", { class: "title" }, root.name, root.code ? h("span", { class: "code" }, root.code) : null),
    h("p", { class: "subtitle" }, t("tree.as_of", { date: fmtDate(at) })),
    counts(units),
    h("div", { class: "tree-tools" },
      h("button", { type: "button", onclick: () => toggleAll(main, true) }, t("tree.expand")),
      h("button", { type: "button", onclick: () => toggleAll(main, false) }, t("tree.collapse"))),
    units.length
      ? h("ul", { class: "tree" }, node(root, children, ctx, 0))
      : h("p", { class: "hint" }, t("tree.empty")),
  );
}

/** The whole country on a date: the counts per level, then every province with its own counts;
 * a province's name drills down into its tree. */
async function renderCountry(ctx, main) {
  const { at } = ctx.state;
  fill(main, h("p", { class: "loading" }, t("loading")));
  const units = (await api.snapshot(at)).filter((u) => u.kind === "administrative_unit");
  if (!ctx.current()) return;
  const byId = new Map(units.map((u) => [u.id, u]));
  const top = (u) => {
    let seen = 0;
    while (u.parent_id && byId.has(u.parent_id) && seen++ < 20) u = byId.get(u.parent_id);
    return u;
  };
  const under = new Map();
  for (const u of units) {
    const root = top(u);
    if (!under.has(root.id)) under.set(root.id, []);
    if (root.id !== u.id) under.get(root.id).push(u);
  }
  const provinces = units.filter((u) => !u.parent_id || !byId.has(u.parent_id)).sort(byCode);
  const levels = [...new Set(units.map((u) => u.level ?? "other"))]
    .filter((l) => l !== "province").sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  fill(main,
    h("h1", { class: "title" }, t("country.title")),
    h("p", { class: "subtitle" }, t("tree.as_of", { date: fmtDate(at) }), " · ",
      t("country.units", { n: units.length })),
    counts(units),
    h("table", { class: "country" },
      h("thead", {}, h("tr", {}, h("th", {}, t("country.province")), h("th", {}, ""),
        ...levels.map((l) => h("th", { class: "num" }, term("level", l))))),
      h("tbody", {}, provinces.map((p) => {
        const mine = under.get(p.id) ?? [];
        return h("tr", { "data-id": p.id, "data-code": p.code ?? "" },
          h("td", {}, h("a", { class: "name", href: ctx.urlFor({ unit: p.id }) }, p.name)),
          h("td", { class: "code" }, p.code ?? ""),
          ...levels.map((l) => h("td", { class: "num", "data-level": l },
            String(mine.filter((u) => (u.level ?? "other") === l).length))));
      }))));
}

function counts(units) {
  const levels = new Map();
  for (const u of units) {
    const level = u.level ?? "other";
    if (!levels.has(level)) levels.set(level, new Map());
    const types = levels.get(level);
    types.set(u.type ?? "—", (types.get(u.type ?? "—") ?? 0) + 1);
  }
  const order = [...levels.keys()].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  return h("section", { class: "counts", "aria-label": t("tree.counts") },
    ...order.map((level) => {
      const types = [...levels.get(level)].sort((a, b) => b[1] - a[1]);
      const total = types.reduce((n, [, c]) => n + c, 0);
      return h("div", { class: "count", "data-level": level, "data-count": total },
        h("strong", {}, String(total)),
        h("span", { class: "level" }, term("level", level)),
        h("small", {}, types.map(([type, c]) => `${c} ${type}`).join(" · ")));
    }));
}

function node(u, children, ctx, depth) {
  const kids = children.get(u.id) ?? [];
  const row = h("span", { class: "row" },
    h("a", { class: "name", href: ctx.urlFor({ view: "unit", unit: u.id }) }, u.name),
    u.code ? h("span", { class: "code" }, u.code) : null,
    h("span", { class: "type" }, u.type ?? ""),
    kids.length ? h("span", { class: "n", title: t("tree.children", { n: kids.length }) },
      String(kids.length)) : null,
    h("a", { class: "lin", href: ctx.urlFor({ view: "lineage", unit: u.id }),
      title: t("unit.show_lineage"), "aria-label": t("unit.show_lineage") }, "⇄"));
  const attrs = { "data-id": u.id, "data-level": u.level ?? "other",
    "data-code": u.code ?? "" };
  if (!kids.length) return h("li", attrs, row);
  return h("li", attrs, h("details", { open: depth < 1 },
    h("summary", {}, row),
    h("ul", {}, kids.map((k) => node(k, children, ctx, depth + 1)))));
}

function toggleAll(main, open) {
  for (const d of main.querySelectorAll(".tree details")) d.open = open;
  const first = main.querySelector(".tree > li > details");
  if (first) first.open = true;
}

const rank = (level) => {
  const i = LEVEL_ORDER.indexOf(level);
  return i < 0 ? LEVEL_ORDER.length : i;
};

const byCode = (a, b) => (a.code ?? "~").localeCompare(b.code ?? "~") || a.name.localeCompare(b.name, "vi");
