// One unit: its versions as a timeline, the acts behind them, where it came from and went, and
// what its code meant over time ("03388 meant Phường Quyết Tiến until 2025-06-30, then Phường Đoàn Kết").

import * as api from "../api.js";
import { h, fill } from "../dom.js";
import { t, term, fmtDate, fmtActDate } from "../i18n.js";
import { lastDay } from "../dates.js";

export async function renderUnit(ctx, main) {
  const { unit: id } = ctx.state;
  if (!id) {
    fill(main, h("p", { class: "hint" }, t("unit.pick")));
    return;
  }
  fill(main, h("p", { class: "loading" }, t("loading")));
  const hist = await api.history(id);
  const versions = hist.versions ?? [];
  const last = versions.at(-1) ?? {};
  const codes = [...new Map(versions.filter((v) => v.code)
    .map((v) => [`${v.level}\u0000${v.code}`,
      { code: v.code, level: v.level, heldOn: v.valid_from }])).values()];
  const began = hist.began ?? versions[0]?.valid_from;
  const ended = hist.ended ?? last.valid_to ?? null;
  // Its superiors by relation on the date shown (within its life).
  let on = ctx.state.at;
  if (ended && lastDay(ended) < on) on = lastDay(ended);
  if (began && began > on) on = began;
  const [meanings, parents, parties, current] = await Promise.all([
    Promise.all(codes.map((c) => codeMeaning(c.code, c.level, c.heldOn))),
    Promise.all(versions.map((v) => (v.parent_id
      ? api.unitAt(v.parent_id, v.valid_from).catch(() => null) : null))),
    Promise.all(versions.map((v) => (v.party_id
      ? api.unitAt(v.party_id, v.valid_from).catch(() => null) : null))),
    api.unitWithSuperiors(id, on).catch(() => null),
  ]);
  if (!ctx.current()) return;

  const names = new Map([...(hist.predecessors ?? []), ...(hist.successors ?? [])]
    .map((step) => [String(step.unit?.id ?? step.id), step.unit ?? step]));
  fill(main, 
    h("h1", { class: "title" }, last.name, last.code ? h("span", { class: "code" }, last.code) : null),
    h("p", { class: "subtitle" },
      [last.type, term("level", last.level), last.kind ? term("kind", last.kind) : null]
        .filter(Boolean).join(" · ")),
    h("p", { class: "life" },
      `${t("unit.began")} ${fmtDate(began)}`,
      hist.history_before_unknown ? ` (${t("unit.unknown_before")})` : "",
      " · ", ended ? `${t("unit.ended")} ${fmtDate(ended)}` : t("unit.still")),
    h("p", { class: "actions" },
      h("a", { class: "button", href: ctx.urlFor({ view: "tree", at: lastDay(ended) ?? ctx.state.at }) },
        t("unit.show_tree")),
      h("a", { class: "button", href: ctx.urlFor({ view: "lineage", at: lastDay(ended) ?? ctx.state.at }) },
        t("unit.show_lineage"))),
    superiors(current, on, ctx),
    meanings.length ? h("section", { class: "codes" },
      h("h2", {}, t("unit.code_meaning")),
      meanings.map((m) => codeSection(m, ctx))) : null,
    h("section", { class: "versions" },
      h("h2", {}, `${t("unit.versions")} (${versions.length})`),
      h("ol", { class: "timeline" }, versions.map((v, i) => versionItem(v, parents[i], parties[i], ctx)))),
    relations(t("unit.pred"), hist.predecessors ?? [], ctx, "pred"),
    relations(t("unit.succ"), hist.successors ?? [], ctx, "succ"),
    h("section", { class: "events" },
      h("h2", {}, t("unit.events")),
      h("ol", { class: "events" }, (hist.events ?? []).map((e) => eventItem(e, names, ctx)))),
  );
}

/** Its superior along each relation that holds on `on`, each a link to that unit and to the
 * superior's tree along the relation. */
function superiors(current, on, ctx) {
  if (!current) return null;
  const list = current.superiors ?? [];
  return h("section", { class: "superiors" },
    h("h2", {}, t("unit.superiors", { date: fmtDate(on) })),
    list.length ? h("dl", {}, list.map((s) => [
      h("dt", { "data-relation": s.relation }, t(`relation.${s.relation}`)),
      h("dd", { "data-relation": s.relation },
        h("a", { class: "superior", href: ctx.urlFor({ view: "unit", unit: String(s.id) }) }, s.name),
        s.code ? h("span", { class: "code" }, s.code) : null,
        h("a", { class: "along", href: ctx.urlFor({ view: "tree", unit: String(s.id), at: on,
          relation: s.relation }) }, `(${t("unit.tree_along")})`)),
    ])) : h("p", { class: "hint" }, t("unit.no_superiors")));
}

function versionItem(v, parent, party, ctx) {
  return h("li", { class: "version" },
    h("span", { class: "when" },
      `${fmtDate(v.valid_from)} – ${v.valid_to ? fmtDate(lastDay(v.valid_to)) : t("present")}`),
    h("span", { class: "what" },
      h("strong", {}, v.name), v.code ? h("span", { class: "code" }, v.code) : null,
      h("span", { class: "type" }, v.type ?? ""),
      parent ? h("span", { class: "under" }, `${t("unit.under")} `,
        h("a", { href: ctx.urlFor({ view: "unit", unit: parent.id }) }, parent.name),
        parent.code ? ` (${parent.code})` : "") : null,
      party ? h("span", { class: "under party" }, `${t("relation.party")}: `,
        h("a", { href: ctx.urlFor({ view: "unit", unit: party.id }) }, party.name)) : null));
}

function eventItem(e, names, ctx) {
  const act = e.act ?? {};
  const source = e.kind === "derived" ? names.get(String(e.values?.source)) : null;
  return h("li", { class: e.superseded ? "event superseded" : "event" },
    h("span", { class: act.effective_stand_in && act.effective === e.on ? "when stand-in" : "when" },
      fmtActDate(act, e.on)),
    h("span", { class: `chip k-${e.kind}` }, term("change", e.kind)),
    source ? h("a", { href: ctx.urlFor({ view: "unit", unit: String(source.id) }) }, source.name) : null,
    h("span", { class: "act-number" }, act.number ?? `${t("diff.unnumbered")} (${term("act", act.kind)})`),
    e.clause ? h("span", { class: "extra" }, e.clause) : null);
}

function relations(title, list, ctx, side) {
  if (!list.length) return null;
  return h("section", { class: `relation ${side}` },
    h("h2", {}, `${title} (${list.length})`),
    h("ul", {}, list.map((r) => h("li", {},
      h("a", { href: ctx.urlFor({ view: "unit", unit: String(r.id ?? r.unit?.id) }) },
        r.name ?? r.unit?.name),
      (r.code ?? r.unit?.code) ? h("span", { class: "code" }, r.code ?? r.unit?.code) : null,
      h("span", { class: "extra" }, [term("change", r.change), term("edge", r.edge),
        r.share != null ? `${Math.round(r.share * 100)}%` : null,
        r.act?.number, r.clause, fmtDate(r.on)].filter(Boolean).join(" · "))))));
}

/** The successive holders of a code at a level: [{unit, from, until}], oldest first, from one
 *  request (`meanings` of /v1/codes/{code}, asked on a day the unit held it). */
async function codeMeaning(code, level, heldOn) {
  const match = await api.codeAt(code, heldOn, level);
  const runs = (match.meanings ?? []).map((m) => ({
    unit: { id: m.id, name: m.name }, from: m.valid_from, until: m.valid_to,
  }));
  return { code, level, runs };
}

function codeSection({ code, runs }, ctx) {
  const parts = runs.map((r, i) => {
    const link = h("a", { href: ctx.urlFor({ view: "unit", unit: r.unit.id }) }, r.unit.name);
    const until = r.until ? ` ${t("unit.until", { date: fmtDate(lastDay(r.until)) })}` : "";
    if (i === 0) return [t("unit.meant", { code, name: "" }).trimEnd(), " ", link, until];
    return [`, ${t("unit.then")} `, link, until];
  });
  return h("p", { class: "meaning", "data-code": code }, parts.flat());
}
