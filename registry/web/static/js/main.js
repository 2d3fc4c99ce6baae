// The explorer: one page, six views, and a URL that holds the view, the unit and the dates.
//   #/tree?unit=<id>&at=2025-07-01      #/changes?unit=<id>&from=…&to=…
//   #/lineage?unit=<id>&at=…            #/unit?unit=<id>            (&lang=en on any of them)
//   #/tree?at=…  (no unit: the whole country and the political system's top organisations)
//   #/tree?…&relation=party             (the tree along a relation: administrative|party|territory)
//   #/plans?at=…                        #/plan?plan=<id>&at=…       (&known=<moment> on any)

import * as api from "./api.js";
import { setLang, lang, t, term } from "./i18n.js";
import { addDays, today } from "./dates.js";
import { renderTree } from "./views/tree.js";
import { renderChanges } from "./views/changes.js";
import { renderLineage } from "./views/lineage.js";
import { renderUnit } from "./views/unit.js";
import { renderPlans, renderPlan } from "./views/plans.js";
import { attachSearch } from "./views/search.js";
import { h, clear, fill } from "./dom.js";

const VIEWS = { tree: renderTree, changes: renderChanges, lineage: renderLineage, unit: renderUnit,
  plans: renderPlans, plan: renderPlan };
const $ = (id) => document.getElementById(id);

const state = { view: "tree", unit: null, at: null, from: null, to: null, lang: "vi", known: null,
  relation: null, plan: null };
let changeDays = [];          // effective dates of every recorded act, ISO, ascending
let renderCount = 0;
let showOnSlider = () => {};  // set once the change days are known

function readUrl() {
  const [path, query = ""] = location.hash.replace(/^#\/?/, "").split("?");
  const p = new URLSearchParams(query);
  state.view = VIEWS[path] ? path : "tree";
  state.unit = p.get("unit");
  state.at = validDate(p.get("at")) ?? state.at ?? defaultDay();
  state.from = validDate(p.get("from")) ?? state.from;
  state.to = validDate(p.get("to")) ?? state.to;
  state.lang = p.get("lang") ?? localStorage.getItem("registry.lang") ?? "vi";
  state.known = validMoment(p.get("known"));
  state.relation = api.RELATIONS.includes(p.get("relation")) ? p.get("relation") : null;
  state.plan = p.get("plan");
}

export function urlFor(patch = {}) {
  const s = { ...state, ...patch };
  const p = new URLSearchParams();
  if (s.view === "plan" && s.plan) p.set("plan", s.plan);
  if (s.unit && s.view !== "plans" && s.view !== "plan") p.set("unit", s.unit);
  if (s.view === "changes") {
    p.set("from", s.from);
    p.set("to", s.to);
  } else if (s.view !== "unit") {
    p.set("at", s.at);
  }
  // The relation the tree follows (absent: each unit's own line).
  if (s.view === "tree" && s.relation) p.set("relation", s.relation);
  if (s.lang !== "vi") p.set("lang", s.lang);
  if (s.known) p.set("known", s.known);
  return `#/${s.view}?${p}`;
}

/** Change the state, write it into the URL (a new history entry unless `replace`), and draw. */
export function navigate(patch, { replace = false } = {}) {
  Object.assign(state, patch);
  const url = urlFor();
  if (url !== location.hash) history[replace ? "replaceState" : "pushState"](null, "", url);
  render();
}

function validDate(value) {
  return value && /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(value)) ? value : null;
}

/** A moment as the known-at control writes it (UTC, to the minute), or null. */
function validMoment(value) {
  return value && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?Z$/.test(value)
    && !Number.isNaN(Date.parse(value)) ? value : null;
}

/** A UTC moment as a datetime-local control shows it (the browser's local time). */
function localInput(iso) {
  const d = new Date(iso);
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function defaultDay() {
  return today();
}

function defaultPeriod() {
  // The latest change, seen from the day before it to the day it took effect.
  const last = changeDays.filter((d) => d <= state.at).at(-1) ?? changeDays.at(-1) ?? state.at;
  return { from: addDays(last, -1), to: last };
}

async function render() {
  const count = ++renderCount;
  const ctx = { current: () => count === renderCount, state: { ...state }, navigate, urlFor };
  setLang(state.lang);
  api.setKnownAt(state.known);
  $("known").value = state.known ? localInput(state.known) : "";
  $("lang").textContent = state.lang === "vi" ? "EN" : "VI";
  const tab = state.view === "plan" ? "plans" : state.view;
  for (const a of document.querySelectorAll(".tabs a")) {
    a.href = urlFor({ view: a.dataset.view });
    a.classList.toggle("active", a.dataset.view === tab);
    if (a.dataset.view === tab) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  if (state.view === "changes" && (!state.from || !state.to)) Object.assign(state, defaultPeriod());
  // The address bar always holds the canonical link to what is shown.
  if (location.hash !== urlFor()) history.replaceState(null, "", urlFor());
  $("date-one").hidden = state.view === "changes" || state.view === "unit";
  // Plans are not one unit's: no unit to pick there.
  $("unit-picker").closest(".when-row").hidden = state.view === "plans" || state.view === "plan";
  $("date-two").hidden = state.view !== "changes";
  $("date").value = state.at;
  showOnSlider(state.at);
  $("from").value = state.from ?? "";
  $("to").value = state.to ?? "";
  await fillPicker(ctx);
  if (!ctx.current()) return;
  const main = $("view");
  main.dataset.view = state.view;
  main.setAttribute("aria-busy", "true");
  try {
    await VIEWS[state.view]({ ...ctx, state: { ...state } }, main);
    // What is on screen, for people's bookmarks and for the end-to-end tests to wait on.
    if (ctx.current()) main.dataset.shown = urlFor();
  } catch (err) {
    if (!ctx.current()) return;
    console.error(err);
    fill(main, h("p", { class: "error", role: "alert" }, `${t("error")}: ${err.message}`));
  } finally {
    if (ctx.current()) main.setAttribute("aria-busy", "false");
  }
}

async function fillPicker(ctx) {
  const picker = $("unit-picker");
  const top = await api.provinces(state.at).catch(() => []);
  if (!ctx.current()) return;
  // Grouped by kind: the provinces first, then each line's top organisations.
  const kinds = [...new Set(top.map((u) => u.kind))].sort((a, b) =>
    (b === "administrative_unit") - (a === "administrative_unit") || a.localeCompare(b));
  const options = kinds.map((kind) => h("optgroup", { label: term("kind", kind) },
    top.filter((u) => u.kind === kind).map((u) => h("option", { value: u.id }, label(u)))));
  if (state.unit && !top.some((u) => u.id === state.unit)) {
    const chosen = await api.unitAt(state.unit, state.at).catch(() => null);
    if (!ctx.current()) return;
    options.unshift(h("option", { value: state.unit }, chosen ? label(chosen) : "—"));
  }
  // No unit: the whole country (the structure view's starting point).
  options.unshift(h("option", { value: "" }, t("country")));
  clear(picker).append(...options);
  picker.value = state.unit ?? "";
}

const label = (u) => (u.code ? `${u.name} (${u.code})` : u.name);

/**
 * The slider's stops: the day before and the day of every change, and today. Only years that hold
 * changes appear, and each step shows a different structure (or the last day of the one before).
 */
function sliderStops() {
  const stops = new Set([today()]);
  for (const d of changeDays) { stops.add(addDays(d, -1)); stops.add(d); }
  return [...stops].sort();
}

/** The stop on or before `day` (the structure shown then is the one of that stop). */
function stopIndex(stops, day) {
  let i = 0;
  while (i + 1 < stops.length && stops[i + 1] <= day) i++;
  return i;
}

function setupDateControl() {
  const slider = $("slider");
  const stops = sliderStops();
  slider.min = "0";
  slider.max = String(stops.length - 1);
  clear($("change-days")).append(...stops.map((d, i) =>
    (changeDays.includes(d) ? h("option", { value: String(i), label: d }) : null)).filter(Boolean));
  // One label per year that holds changes, at its first stop; a click goes there.
  const years = [...new Set(stops.map((d) => d.slice(0, 4)))];
  const span = Math.max(1, stops.length - 1);
  clear($("years")).append(...years.map((y) => {
    const i = stops.findIndex((d) => d.startsWith(y));
    const left = (i / span) * 100;
    const shift = left < 8 ? "0%" : left > 92 ? "-100%" : "-50%";
    return h("button", {
      type: "button", class: "year", style: `left:${left}%;transform:translateX(${shift})`,
      title: stops[i], onclick: () => navigate({ at: stops[i] }),
    }, y);
  }));
  showOnSlider = (day) => { slider.value = String(stopIndex(stops, day)); };

  let timer = null;
  slider.addEventListener("input", () => {
    const day = stops[Number(slider.value)];
    $("date").value = day;
    clearTimeout(timer);
    timer = setTimeout(() => navigate({ at: day }, { replace: true }), 120);
  });
  $("date").addEventListener("change", (e) => {
    if (validDate(e.target.value)) navigate({ at: e.target.value });
  });
  $("prev-change").addEventListener("click", () => {
    // The day before the latest change before (or on) the shown date, then that change itself.
    const before = changeDays.filter((d) => d <= state.at);
    const at = before.at(-1) === state.at ? addDays(state.at, -1) : before.at(-1);
    if (at) navigate({ at });
  });
  $("next-change").addEventListener("click", () => {
    const after = changeDays.find((d) => d > state.at);
    if (!after) return;
    navigate({ at: addDays(after, -1) === state.at ? after : addDays(after, -1) });
  });
  for (const id of ["from", "to"]) {
    $(id).addEventListener("change", (e) => {
      if (validDate(e.target.value)) navigate({ [id]: e.target.value });
    });
  }
  $("unit-picker").addEventListener("change", (e) => navigate({ unit: e.target.value || null }));
  $("known").addEventListener("change", (e) => {
    // datetime-local is the browser's local time; the registry's moments are UTC.
    const value = e.target.value;
    const moment = value ? new Date(value).toISOString().slice(0, 16) + "Z" : null;
    navigate({ known: moment });
  });
}

async function start() {
  readUrl();
  setLang(state.lang);
  $("lang").addEventListener("click", () => {
    const next = lang() === "vi" ? "en" : "vi";
    localStorage.setItem("registry.lang", next);
    navigate({ lang: next }, { replace: true });
  });
  // A plan changes nothing in the structure (its items are not facts): not a change day.
  changeDays = [...new Set((await api.acts().catch(() => []))
    .filter((a) => a.kind !== "plan").map((a) => a.effective).filter(Boolean))]
    .sort();
  setupDateControl();
  attachSearch($("search"), $("search-results"), (hit) =>
    navigate({ view: "unit", unit: hit.id }));
  window.addEventListener("popstate", () => { readUrl(); render(); });
  window.addEventListener("hashchange", () => { readUrl(); render(); });
  document.body.dataset.ready = "true";
  await render();
}

start();
