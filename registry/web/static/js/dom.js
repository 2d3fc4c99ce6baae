// A tiny element builder: h("a", {href, class, onclick}, child, "text", [more]). No innerHTML, so
// names from the registry can never inject markup.

export function h(tag, attrs = {}, ...children) {
  // "svg:a" is a link inside a diagram; other SVG tags are known by name.
  const svg = SVG_TAGS.has(tag) || tag.startsWith("svg:");
  const el = svg ? document.createElementNS("http://www.w3.org/2000/svg", tag.replace(/^svg:/, ""))
    : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
    else if (k === "dataset") Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** Replace an element's content (null, false and nested lists allowed, as in h()). */
export function fill(el, ...children) {
  clear(el);
  append(el, children);
  return el;
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

const SVG_TAGS = new Set(["svg", "g", "rect", "path", "text", "tspan", "title", "defs", "marker",
  "line", "polyline", "circle"]);
