// What changed between two dates: units begun, ended, renamed, recoded, moved, reclassified —
// grouped by the legal act that ordered them, then by the act's clause.

import * as api from "../api.js";
import { h, clear } from "../dom.js";
import { t, term, fmtDate } from "../i18n.js";

export async function renderChanges(ctx, main) {
  const { unit: within, from, to } = ctx.state;
  clear(main).append(h("p", { class: "loading" }, t("loading")));
  const [a, b] = from <= to ? [from, to] : [to, from];
  const items = (await api.changes(a, b, within)).map(normalise);
  const groups = groupByAct(items);
  const acts = await Promise.all(groups.map((g) =>
    g.act.id ? api.act(g.act.id).then((full) => ({ ...g.act, ...full })).catch(() => g.act) : g.act));
  if (!ctx.current()) return;

  clear(main).append(
    h("h1", { class: "title" }, t("diff.title", { from: fmtDate(a), to: fmtDate(b) })),
    items.length
      ? h("p", { class: "subtitle" }, t("diff.summary", { n: items.length, acts: groups.length }))
      : h("p", { class: "hint" }, t("diff.none")),
    ...groups.map((g, i) => actSection(acts[i], g.items, ctx)),
  );
}

function normalise(c) {
  const unit = api.unit(c.unit ?? c.after ?? c.before ?? c);
  return {
    kind: c.kind ?? c.change ?? c.type,
    on: c.on ?? c.effective ?? c.date,
    unit,
    before: c.before ? api.unit(c.before) : null,
    after: c.after ? api.unit(c.after) : null,
    act: c.act ?? (c.acts ?? [])[0] ?? { id: c.act_id ?? null },
    clause: c.clause ?? c.act?.clause ?? null,
    details: c.details ?? c.values ?? null,
  };
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
  const number = act.number ?? `${t("diff.unnumbered")} (${act.kind ?? "?"})`;
  return h("section", { class: "act", "data-act": act.number ?? "" },
    h("h2", {}, h("span", { class: "act-number" }, number),
      act.kind ? h("span", { class: "type" }, act.kind) : null,
      act.verified === false ? h("span", { class: "warn" }, t("diff.unverified")) : null),
    h("p", { class: "act-meta" },
      act.issuer ? `${act.issuer} · ` : "",
      act.signed ? `${t("diff.signed")} ${fmtDate(act.signed)} · ` : "",
      act.effective ? `${t("diff.effective")} ${fmtDate(act.effective)}` : ""),
    act.title ? h("p", { class: "act-title" }, act.title) : null,
    h("p", { class: "kinds" }, [...kinds].map(([k, n]) =>
      h("span", { class: `chip k-${k}` }, `${term("change", k)} ${n}`))),
    h("details", { class: "clauses", open: clauses.size <= 12 },
      h("summary", {}, `${t("diff.clauses")} (${[...clauses.keys()].filter(Boolean).length})`),
      h("dl", {}, [...clauses].sort(clauseOrder).map(([clause, list]) => [
        h("dt", {}, clause || "—"),
        h("dd", {}, h("ul", {}, list.sort(itemOrder).map((item) => change(item, ctx)))),
      ]))));
}

function change(item, ctx) {
  const u = item.unit;
  const extra = describe(item);
  return h("li", { class: `change k-${item.kind}`, "data-kind": item.kind },
    h("span", { class: `chip k-${item.kind}` }, term("change", item.kind)), " ",
    h("a", { href: ctx.urlFor({ view: "unit", unit: u.id }) }, u.name),
    u.code ? h("span", { class: "code" }, u.code) : null,
    extra ? h("span", { class: "extra" }, extra) : null);
}

function describe(item) {
  const { before, after } = item;
  if (!before || !after) return "";
  if (item.kind === "renamed") return `${before.name} → ${after.name}`;
  if (item.kind === "recoded") return `${before.code ?? "—"} → ${after.code ?? "—"}`;
  if (item.kind === "reclassified") return `${before.type ?? ""} → ${after.type ?? ""}`;
  return "";
}

const KIND_ORDER = ["ended", "begun", "renamed", "recoded", "reclassified", "moved"];
const itemOrder = (x, y) => KIND_ORDER.indexOf(x.kind) - KIND_ORDER.indexOf(y.kind)
  || (x.unit.code ?? "").localeCompare(y.unit.code ?? "");

// "Điều 1 khoản 2" before "Điều 1 khoản 10".
const clauseOrder = ([x], [y]) => x.localeCompare(y, "vi", { numeric: true });
