// What changed between two dates: units begun, ended, renamed, recoded, moved, reclassified —
// grouped by the legal act that ordered them, then by the act's clause.

import * as api from "../api.js";
import { h, fill } from "../dom.js";
import { t, term, fmtDate, fmtActDate } from "../i18n.js";

// The change list holds facts; these are the ones a reader calls a change (lineage facts are shown
// on the unit that began, as its sources; a new party or territory superior is a change too).
const FACT_KINDS = { began: "begun", ended: "ended", renamed: "renamed", recoded: "recoded",
  reassigned: "moved", reclassified: "reclassified", affiliated: "affiliated", serves: "serves" };

export async function renderChanges(ctx, main) {
  const { unit: within, from, to } = ctx.state;
  fill(main, h("p", { class: "loading" }, t("loading")));
  const [a, b] = from <= to ? [from, to] : [to, from];
  // The structure on `a` already holds the changes effective on `a`, so those are left out; but
  // asking from `a` makes the server scope `within` to its subtree on `a` as well as on `b`.
  const facts = a < b ? (await api.changes(a, b, within)).filter((f) => f.on > a) : [];
  const items = withSources(facts);
  const groups = groupByAct(items);
  const acts = await Promise.all(groups.map((g) =>
    g.act.id ? api.act(g.act.id).then((full) => ({ ...g.act, ...full })).catch(() => g.act) : g.act));
  if (!ctx.current()) return;

  fill(main, 
    h("h1", { class: "title" }, t("diff.title", { from: fmtDate(a), to: fmtDate(b) })),
    items.length
      ? h("p", { class: "subtitle" }, t("diff.summary", { n: items.length, acts: groups.length }))
      : h("p", { class: "hint" }, t("diff.none")),
    ...groups.map((g, i) => actSection(acts[i], g.items, ctx)),
  );
}

/** Change facts as the page lists them; each unit that began carries the units it came from. */
function withSources(facts) {
  const names = new Map(facts.map((f) => [f.unit.id, api.unit(f.unit)]));
  const items = [];
  const began = new Map();
  for (const f of facts) {
    const kind = FACT_KINDS[f.kind];
    if (!kind) continue;
    const item = { kind, on: f.on, unit: api.unit(f.unit), act: f.act ?? {}, clause: f.clause,
      values: f.values ?? {}, sources: [] };
    if (kind === "begun") began.set(item.unit.id, item);
    items.push(item);
  }
  // A unit that took others in without beginning (an absorption) gets an item of its own.
  const received = new Map();
  for (const f of facts) {
    if (f.kind !== "derived") continue;
    const source = names.get(f.values?.source);
    if (!source) continue;
    if (!began.has(f.unit.id) && !received.has(f.unit.id)) {
      const item = { kind: "received", on: f.on, unit: api.unit(f.unit), act: f.act ?? {},
        clause: f.clause, values: {}, sources: [] };
      received.set(f.unit.id, item);
      items.push(item);
    }
    (began.get(f.unit.id) ?? received.get(f.unit.id)).sources.push(source);
  }
  // A unit that began with a party or territory superior: that is part of its beginning.
  return items.filter((i) => !((i.kind === "affiliated" || i.kind === "serves") && began.has(i.unit.id)));
}

function groupByAct(items) {
  const groups = new Map();
  for (const item of items) {
    const key = item.act?.id ?? item.act?.number ?? "";
    if (!groups.has(key)) groups.set(key, { act: item.act ?? {}, items: [] });
    groups.get(key).items.push(item);
  }
  return [...groups.values()].sort((x, y) =>
    (x.act.effective ?? "").localeCompare(y.act.effective ?? "")
    || (x.act.number ?? "").localeCompare(y.act.number ?? ""));
}

function actSection(act, items, ctx) {
  const clauses = new Map();
  for (const item of items) {
    const key = item.clause ?? "";
    if (!clauses.has(key)) clauses.set(key, []);
    clauses.get(key).push(item);
  }
  const kinds = new Map();
  for (const item of items) kinds.set(item.kind, (kinds.get(item.kind) ?? 0) + 1);
  const number = act.number ?? `${t("diff.unnumbered")} (${term("act", act.kind)})`;
  return h("section", { class: "act", "data-act": act.number ?? "" },
    h("h2", {}, h("span", { class: "act-number" }, number),
      act.kind ? h("span", { class: "type" }, term("act", act.kind)) : null,
      act.verified === false ? h("span", { class: "warn" }, t("diff.unverified")) : null),
    h("p", { class: "act-meta" },
      act.issuer ? `${act.issuer} · ` : "",
      act.signed ? `${t("diff.signed")} ${fmtDate(act.signed)} · ` : "",
      act.effective ? h("span", { class: act.effective_stand_in ? "effective stand-in" : "effective" },
        `${t("diff.effective")} ${fmtActDate(act)}`) : null),
    act.title ? h("p", { class: "act-title" }, act.title) : null,
    h("p", { class: "kinds" }, [...kinds].map(([k, n]) =>
      h("span", { class: `chip k-${k}` }, `${term("change", k)} ${n}`))),
    clauses.size === 1 && clauses.has("") ? byNewUnit(items, ctx)
      : h("details", { class: "clauses", open: clauses.size <= 60 },
        h("summary", {}, `${t("diff.clauses")} (${[...clauses.keys()].filter(Boolean).length})`),
        h("dl", {}, [...clauses].sort(clauseOrder).map(([clause, list]) => [
          h("dt", {}, clause || "—"),
          h("dd", {}, h("ul", {}, list.sort(itemOrder).map((item) => change(item, ctx)))),
        ]))));
}

/** An act recorded without clauses (a national list): each new unit with the units it came
 * from (sources → new unit), then whatever else changed. */
function byNewUnit(items, ctx) {
  const made = items.filter((i) => i.kind === "begun" || i.kind === "received").sort(itemOrder);
  const sources = new Set(made.flatMap((i) => i.sources.map((s) => s.id)));
  const others = items.filter((i) => i.kind !== "begun" && i.kind !== "received"
    && !(i.kind === "ended" && sources.has(i.unit.id))).sort(itemOrder);
  return h("div", { class: "by-unit" },
    made.length ? h("details", { class: "new-units", open: made.length <= 200 },
      h("summary", {}, t("diff.by_unit", { n: made.length })),
      h("ul", {}, made.map((item) => h("li", { class: "made", "data-id": item.unit.id },
        item.sources.length ? h("span", { class: "sources" },
          item.sources.map((s) => `${s.name}${s.code ? ` (${s.code})` : ""}`).join(", "),
          " → ") : null,
        h("a", { href: ctx.urlFor({ view: "unit", unit: item.unit.id }) }, item.unit.name),
        item.unit.code ? h("span", { class: "code" }, item.unit.code) : null)))) : null,
    others.length ? h("details", { class: "others", open: others.length <= 200 },
      h("summary", {}, t("diff.others", { n: others.length })),
      h("ul", {}, others.map((item) => change(item, ctx)))) : null);
}

function change(item, ctx) {
  const u = item.unit;
  const extra = describe(item);
  return h("li", { class: "change", "data-kind": item.kind },
    h("span", { class: `chip k-${item.kind}` }, term("change", item.kind)), " ",
    h("a", { href: ctx.urlFor({ view: "unit", unit: u.id }) }, u.name),
    u.code ? h("span", { class: "code" }, u.code) : null,
    extra ? h("span", { class: "extra" }, extra) : null);
}

function describe(item) {
  const v = item.values;
  if ((item.kind === "begun" || item.kind === "received") && item.sources.length) {
    return `← ${item.sources.map((s) => s.name).join(", ")}`;
  }
  if (item.kind === "renamed" && v.name) return `→ ${v.name}`;
  if (item.kind === "recoded" && v.code) return `→ ${v.code}`;
  if (item.kind === "reclassified") return `→ ${[v.type, v.level].filter(Boolean).join(", ")}`;
  return "";
}

const KIND_ORDER = ["ended", "begun", "received", "renamed", "recoded", "reclassified", "moved",
  "affiliated", "serves"];
const itemOrder = (x, y) => KIND_ORDER.indexOf(x.kind) - KIND_ORDER.indexOf(y.kind)
  || (x.unit.code ?? "").localeCompare(y.unit.code ?? "");

// "Điều 1 khoản 2" before "Điều 1 khoản 10".
const clauseOrder = ([x], [y]) => x.localeCompare(y, "vi", { numeric: true });
