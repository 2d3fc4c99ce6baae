// Plans (kế hoạch, đề án) on a date: every plan in force with its counts, and one plan's items —
// status, deadline, lead, the acts that carried each out, and what is overdue. A plan's items are
// planned changes, never facts: the structure views never show them.

import * as api from "../api.js";
import { h, fill } from "../dom.js";
import { t, term, fmtDate, fmtActDate } from "../i18n.js";
import { addDays } from "../dates.js";

const STATUSES = ["planned", "in_progress", "done", "dropped"];

export async function renderPlans(ctx, main) {
  const { at } = ctx.state;
  fill(main, h("p", { class: "loading" }, t("loading")));
  const [list, acts] = await Promise.all([api.plans(at), api.actsById().catch(() => new Map())]);
  if (!ctx.current()) return;
  fill(main,
    h("h1", { class: "title" }, t("plans.title", { date: fmtDate(at) })),
    list.length ? h("ul", { class: "plans" }, list.map((p) => {
      const act = { ...p.act, ...(acts.get(String(p.act.id)) ?? {}) };
      return h("li", { "data-plan": p.act.id, "data-number": p.act.number ?? "" },
        h("a", { class: "name", href: ctx.urlFor({ view: "plan", plan: p.act.id }) },
          planName(act)),
        act.number && act.title ? h("span", { class: "act-title" }, ` — ${act.title}`) : null,
        h("span", { class: "counts-line" },
          `${term("act", act.kind)} · ${t("diff.effective")} ${fmtActDate(act)} · `,
          t("plans.items", { n: p.items }), " · ",
          countChips(p.counts)));
    })) : h("p", { class: "hint" }, t("plans.none")));
}

export async function renderPlan(ctx, main) {
  const { plan: id, at } = ctx.state;
  if (!id) {
    await renderPlans(ctx, main);
    return;
  }
  fill(main, h("p", { class: "loading" }, t("loading")));
  const [plan, acts] = await Promise.all([api.plan(id, at), api.actsById().catch(() => new Map())]);
  if (!ctx.current()) return;
  // Plan answers name acts without `effective_stand_in`: the act list has it.
  const full = (a) => ({ ...a, ...(acts.get(String(a.id)) ?? {}) });
  const act = full(plan.act);
  fill(main,
    h("p", { class: "back" }, h("a", { href: ctx.urlFor({ view: "plans" }) }, `← ${t("plan.back")}`)),
    h("h1", { class: "title", "data-plan": act.id }, planName(act)),
    act.number && act.title ? h("p", { class: "act-title" }, act.title) : null,
    h("p", { class: "act-meta" },
      [act.issuer, `${term("act", act.kind)}`].filter(Boolean).join(" · "), " · ",
      h("span", { class: act.effective_stand_in ? "effective stand-in" : "effective" },
        `${t("diff.effective")} ${fmtActDate(act)}`),
      act.verified === false ? h("span", { class: "warn" }, ` ${t("diff.unverified")}`) : null),
    h("p", { class: "subtitle" }, t("plan.as_of", { date: fmtDate(plan.at) }), " · ",
      countChips(plan.counts)),
    h("table", { class: "plan-items" },
      h("thead", {}, h("tr", {},
        h("th", {}, ""),
        ...["plan.item", "plan.status", "plan.deadline", "plan.lead", "plan.acts"]
          .map((k) => h("th", {}, t(k))))),
      h("tbody", {}, plan.items.map((item) => itemRow(item, full, ctx)))));
}

function itemRow(item, full, ctx) {
  const status = item.status ?? "none";
  return h("tr", { class: item.overdue ? "item overdue" : "item", "data-item": item.id,
    "data-status": status, "data-overdue": String(item.overdue) },
  h("td", { class: "id" }, item.id),
  h("td", { class: "title-cell" },
    h("div", { class: "item-title" }, item.title),
    item.clause ? h("small", { class: "extra" }, item.clause) : null),
  h("td", { class: "status" },
    h("span", { class: `chip s-${status}` }, t(`status.${status}`)),
    item.overdue ? h("span", { class: "chip overdue" }, t("plan.overdue")) : null,
    item.since ? h("small", { class: "since" }, t("plan.since", { date: fmtDate(item.since) })) : null),
  h("td", { class: "deadline", "data-label": t("plan.deadline") }, item.deadline ? fmtDate(item.deadline) : "—"),
  h("td", { class: "lead", "data-label": t("plan.lead") }, item.lead
    ? h("a", { href: ctx.urlFor({ view: "unit", unit: String(item.lead.id) }) },
      item.lead.name ?? "—") : "—"),
  h("td", { class: "acts", "data-label": t("plan.acts") }, item.acts.length ? h("ul", {}, item.acts.map((a) => {
    const act = full(a);
    return h("li", { "data-act": act.id },
      actLink(act, ctx), " · ",
      h("span", { class: act.effective_stand_in ? "when stand-in" : "when" }, fmtActDate(act)));
  })) : "—"));
}

/** An act links to what changed on its effective day (grouped by act), and to its record. */
function actLink(act, ctx) {
  const label = act.number ?? act.title ?? `${t("diff.unnumbered")} (${term("act", act.kind)})`;
  return [
    h("a", { class: "act-link", title: act.title ?? "", href: ctx.urlFor({ view: "changes",
      unit: null, from: addDays(act.effective, -1), to: act.effective }) }, label),
    " ", h("a", { class: "act-record", href: `/v1/acts/${act.id}`, title: "JSON" }, "↗"),
  ];
}

function countChips(counts) {
  const chips = STATUSES.filter((s) => counts?.[s])
    .map((s) => h("span", { class: `chip s-${s}`, "data-status": s }, `${t(`status.${s}`)} ${counts[s]}`));
  if (counts?.overdue) {
    chips.push(h("span", { class: "chip overdue", "data-status": "overdue" },
      `${t("status.overdue")} ${counts.overdue}`));
  }
  return h("span", { class: "plan-counts" }, chips);
}

const planName = (act) => act.number ?? act.title ?? t("plan.title");
