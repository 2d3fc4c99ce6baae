// The structure of a province or organisation as it stood on a date: counts per level, then the tree,
// along each unit's own line or along one relation (administrative, party, territory).

import * as api from "../api.js";
import { h, fill } from "../dom.js";
import { t, term, fmtDate } from "../i18n.js";
import { addDays } from "../dates.js";

const LEVEL_ORDER = ["central", "province", "district", "commune"];
// A tree along a relation is read a level at a time from /v1/units/{id}/children; past this many
// units the rest is left out (and said so).
const MAX_NODES = 3000;

export async function renderTree(ctx, main) {
  const { unit: id, at, relation } = ctx.state;
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
  const { units, children, partial } = relation
    ? await along(id, at, relation, ctx) : await ownLine(id, at);
  if (!ctx.current()) return;

  fill(main,
    h("h1", { class: "title" }, root.name, root.code ? h("span", { class: "code" }, root.code) : null),
    h("p", { class: "subtitle" }, t("tree.as_of", { date: fmtDate(at) }),
      root.kind && root.kind !== "administrative_unit" ? ` · ${term("kind", root.kind)}` : ""),
    relationSwitch(ctx),
    counts(units),
    partial ? h("p", { class: "hint partial" }, t("tree.partial", { n: units.length })) : null,
    h("div", { class: "tree-tools" },
      h("button", { type: "button", onclick: () => toggleAll(main, true) }, t("tree.expand")),
      h("button", { type: "button", onclick: () => toggleAll(main, false) }, t("tree.collapse"))),
    units.length
      ? h("ul", { class: "tree" }, node(root, children, ctx, 0))
      : h("p", { class: "hint" }, t("tree.empty")),
  );
}

/** The units under `id` along its own line (each unit's parent): one snapshot request. */
async function ownLine(id, at) {
  const units = await api.subtree(id, at);
  const children = new Map();
  for (const u of units) {
    if (!children.has(u.parent_id)) children.set(u.parent_id, []);
    children.get(u.parent_id).push(u);
  }
  for (const list of children.values()) list.sort(byCode);
  return { units, children, partial: false };
}

/** The units under `id` along `relation`, read a level at a time from the children endpoint
 * (the server decides who is under whom); a unit met twice is shown once. */
async function along(id, at, relation, ctx) {
  const units = [];
  const children = new Map();
  const seen = new Set([id]);
  let frontier = [id];
  let partial = false;
  while (frontier.length && ctx.current()) {
    const lists = await Promise.all(frontier.map((p) => api.children(p, at, relation)));
    const next = [];
    frontier.forEach((p, i) => {
      const kids = lists[i].filter((u) => !seen.has(u.id)).sort(byCode);
      for (const u of kids) seen.add(u.id);
      if (kids.length) children.set(p, kids);
      units.push(...kids);
      next.push(...kids.map((u) => u.id));
    });
    if (units.length >= MAX_NODES) { partial = next.length > 0; break; }
    frontier = next;
  }
  return { units, children, partial };
}

/** Own line / administrative / party / territory: links, so the choice is kept in the address. */
function relationSwitch(ctx) {
  const current = ctx.state.relation ?? "";
  return h("nav", { class: "relation-switch", "aria-label": t("relation.label"),
    title: t("relation.hint") },
  h("span", { class: "label" }, `${t("relation.label")}:`),
  ["", ...api.RELATIONS].map((r) => h("a", {
    href: ctx.urlFor({ relation: r || null }), "data-relation": r,
    class: r === current ? "active" : null, "aria-current": r === current ? "true" : null,
  }, t(`relation.${r || "own"}`))));
}

/** The whole country on a date: the counts per level, then every province with its own counts;
 * a province's name drills down into its tree. Beside them, the political system's top
 * organisations: those that are not administrative units and have no superior along the chosen
 * relation (nor in their own line) on the date; a name opens its tree along that relation. */
async function renderCountry(ctx, main) {
  const { at } = ctx.state;
  fill(main, h("p", { class: "loading" }, t("loading")));
  const everything = await api.snapshot(at);
  if (!ctx.current()) return;
  const units = everything.filter((u) => u.kind === "administrative_unit");
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
      }))),
    relationSwitch(ctx),
    topOrganisations(everything, ctx));
}

function topOrganisations(everything, ctx) {
  const { relation, at } = ctx.state;
  const byId = new Map(everything.map((u) => [u.id, u]));
  const under = new Map();
  for (const u of everything) {
    const up = api.superior(u, relation);
    if (!up || up === u.id) continue;
    if (!under.has(up)) under.set(up, []);
    under.get(up).push(u.id);
  }
  // Everything below, along the relation (a unit met twice counts once).
  const below = (id) => {
    const seen = new Set([id]);
    const todo = [id];
    while (todo.length) {
      for (const c of under.get(todo.pop()) ?? []) if (!seen.has(c)) { seen.add(c); todo.push(c); }
    }
    return seen.size - 1;
  };
  // Not an administrative unit, no superior along the relation on the date, and none in its own
  // line either (a department no party organisation leads is not a top of the party line: it
  // stands under its People's Committee).
  const heads = (u, r) => !byId.has(api.superior(u, r) ?? "");
  const top = everything.filter((u) => u.kind !== "administrative_unit"
    && heads(u, relation) && heads(u, null)).sort(byKind);
  const levels = [...new Set(top.map((u) => u.level ?? "other"))]
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  return h("section", { class: "top-organisations", "data-relation": relation ?? "" },
    h("h2", {}, t("top.title")),
    h("p", { class: "hint" }, t("top.hint", { relation: t(`relation.${relation ?? "own"}`),
      date: fmtDate(at) })),
    top.length ? null : h("p", { class: "hint" }, t("top.none")),
    levels.map((level) => {
      const list = top.filter((u) => (u.level ?? "other") === level);
      const open = level === "central" || level === "province" || list.length <= 40;
      return h("details", { class: "top-level", "data-level": level, open },
        h("summary", {}, `${term("level", level)} (${list.length})`),
        h("ul", {}, list.map((u) => {
          const n = below(u.id);
          return h("li", { "data-id": u.id, "data-kind": u.kind },
            h("a", { class: "name", href: ctx.urlFor({ unit: u.id }) }, u.name),
            h("span", { class: "type" }, u.type ?? ""),
            h("span", { class: "kind" }, term("kind", u.kind)),
            n ? h("span", { class: "n" }, t("top.under", { n })) : null);
        })));
    }));
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
    ctx.state.relation && u.kind ? h("span", { class: "kind" }, term("kind", u.kind)) : null,
    kids.length ? h("span", { class: "n", title: t("tree.children", { n: kids.length }) },
      String(kids.length)) : null,
    h("a", { class: "lin", href: ctx.urlFor({ view: "lineage", unit: u.id }),
      title: t("unit.show_lineage"), "aria-label": t("unit.show_lineage") }, "⇄"));
  const attrs = { "data-id": u.id, "data-level": u.level ?? "other", "data-kind": u.kind ?? "",
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

const KIND_ORDER = ["party_organisation", "state_agency", "mass_organisation", "public_service_unit",
  "enterprise"];
const kindRank = (k) => (KIND_ORDER.includes(k) ? KIND_ORDER.indexOf(k) : KIND_ORDER.length);
const byKind = (a, b) => kindRank(a.kind) - kindRank(b.kind) || byCode(a, b);

const byCode = (a, b) => (a.code ?? "~").localeCompare(b.code ?? "~") || a.name.localeCompare(b.name, "vi");
