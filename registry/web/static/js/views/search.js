// Search as you type over current and former names; the server ignores case and diacritics
// ("doan ket" finds Đoàn Kết), and codes (00004). Each hit shows its superiors and the dates its
// name was valid.

import * as api from "../api.js";
import { h, clear } from "../dom.js";
import { t, fmtDate } from "../i18n.js";
import { lastDay } from "../dates.js";

const DELAY_MS = 150;

/** Hits for `q` from /v1/search: one per unit and name, with the period that name was valid. */
export async function searchNames(q) {
  const body = await api.get("/v1/search", { q, limit: 20 });
  return body.items.map((hit) => ({
    ...api.unit(hit.unit), name: hit.name, valid_from: hit.valid_from, valid_to: hit.valid_to,
    superiors: (hit.superiors ?? []).map((s) => s.name),
  }));
}

export function attachSearch(input, list, onPick) {
  let timer = null;
  let asked = 0;
  let active = -1;

  const close = () => {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    active = -1;
  };

  const show = (hits, q) => {
    clear(list);
    if (!hits.length) {
      list.append(h("li", { class: "none" }, t("search.none")));
    }
    hits.forEach((hit, i) => {
      list.append(h("li", { role: "option", id: `hit-${i}`, "data-id": hit.id },
        h("a", {
          href: "#", class: "hit",
          onclick: (e) => { e.preventDefault(); close(); input.value = hit.name; onPick(hit); },
        },
        h("span", { class: "name" }, hit.name),
        hit.code ? h("span", { class: "code" }, hit.code) : null,
        h("span", { class: "type" }, hit.type ?? ""),
        hit.superiors.length ? h("span", { class: "superiors" }, hit.superiors.join(" · ")) : null,
        h("span", { class: hit.valid_to ? "when former" : "when current" },
          `${fmtDate(hit.valid_from)} – ${hit.valid_to ? fmtDate(lastDay(hit.valid_to)) : t("present")}`,
          " · ", hit.valid_to ? t("search.former") : t("search.current")))));
    });
    list.dataset.query = q;
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
  };

  input.addEventListener("input", () => {
    clearTimeout(timer);
    const q = input.value.trim();
    if (q.length < 2) { close(); return; }
    timer = setTimeout(async () => {
      const mine = ++asked;
      const hits = await searchNames(q).catch(() => []);
      if (mine === asked) show(hits.slice(0, 20), q);
    }, DELAY_MS);
  });

  input.addEventListener("keydown", (e) => {
    const options = [...list.querySelectorAll("a.hit")];
    if (e.key === "Escape") { close(); return; }
    if (!options.length || list.hidden) return;
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      active = (active + (e.key === "ArrowDown" ? 1 : -1) + options.length) % options.length;
      options.forEach((o, i) => o.classList.toggle("active", i === active));
      input.setAttribute("aria-activedescendant", `hit-${active}`);
    } else if (e.key === "Enter") {
      e.preventDefault();
      options[Math.max(active, 0)].click();
    }
  });

  document.addEventListener("click", (e) => {
    if (!e.target.closest(".search")) close();
  });
}
