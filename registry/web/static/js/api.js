// The registry's own REST API (/v1, see openapi/) from the page. Same origin: no other host is asked.

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

const cache = new Map();
let knownAt = null;

/** Answers as the registry knew them at `moment` (ISO date-time, UTC), or now (null). */
export function setKnownAt(moment) {
  knownAt = moment || null;
}

// Every read of units takes known_at; the acts list and the feed are the log as it is.
const TAKES_KNOWN_AT = /^\/v1\/(units|codes|snapshot|changes|search|crosswalk|plans)/;

/** GET a JSON document; identical requests share one promise (the registry's past does not move). */
export function get(path, params = {}) {
  if (knownAt && TAKES_KNOWN_AT.test(path)) params = { known_at: knownAt, ...params };
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== "") query.set(k, v);
  }
  const url = query.size ? `${path}?${query}` : path;
  if (!cache.has(url)) {
    const request = fetch(url, { headers: { Accept: "application/json" } }).then(async (r) => {
      const body = await r.json().catch(() => null);
      if (!r.ok) throw new ApiError(r.status, body);
      return body;
    });
    request.catch(() => cache.delete(url));
    cache.set(url, request);
  }
  return cache.get(url);
}

/** Every item of a paged list ({items, next}), following cursors up to `max` items. */
export async function all(path, params = {}, max = 5000) {
  const items = [];
  let cursor = null;
  do {
    const page = await get(path, { ...params, limit: params.limit ?? 500, cursor });
    const list = Array.isArray(page) ? page : page.items;
    items.push(...list);
    cursor = Array.isArray(page) ? null : page.next;
  } while (cursor && items.length < max);
  return items;
}

/** A unit as the page uses it, whatever optional fields the server adds. */
export function unit(u) {
  if (!u) return null;
  return {
    id: String(u.id),
    code: u.code ?? null,
    name: u.name,
    kind: u.kind ?? null,
    type: u.type ?? null,
    level: u.level ?? null,
    parent_id: u.parent_id ?? null,
    territory_id: u.territory_id ?? null,
    party_id: u.party_id ?? null,
    valid_from: u.valid_from ?? null,
    valid_to: u.valid_to ?? null,
  };
}

/** The units at the top of their line on `at` (provinces, provincial party committees, …). */
export const provinces = async (at) => (await all("/v1/units", { at, level: "province" }))
  .map(unit).filter((u) => !u.parent_id)
  .sort((a, b) => (a.code ?? "~").localeCompare(b.code ?? "~") || a.name.localeCompare(b.name, "vi"));

export const unitAt = async (id, at) => unit(await get(`/v1/units/${id}`, { at }));

/** The lines of authority a unit may be seen along (none: each unit's own line, its parent). */
export const RELATIONS = ["administrative", "party", "territory"];

/** A unit's superior along `relation` (null: its own line), as the server reads it
 *  (registry/domain/model.py `superior`): a party organisation has no administrative superior,
 *  a unit outside the party has its party organisation as its party superior. */
export function superior(u, relation) {
  if (!relation) return u.parent_id;
  if (relation === "administrative") return u.kind === "party_organisation" ? null : u.parent_id;
  if (relation === "party") return u.kind === "party_organisation" ? u.parent_id : u.party_id;
  if (relation === "territory") return u.territory_id;
  return null;
}

/** One unit on `at` with its superiors along each relation ([{relation, id, code, name}]). */
export async function unitWithSuperiors(id, at) {
  const body = await get(`/v1/units/${id}`, { at });
  return { ...unit(body), superiors: body.superiors ?? [] };
}

/** The units directly under `id` on `at` along `relation` (none: their own line). */
export const children = async (id, at, relation) =>
  (await all(`/v1/units/${id}/children`, { at, relation: relation || undefined, limit: 1000 }))
    .map(unit);

/** Every plan in force on `at`, each with its counts of items per status. */
export const plans = (at) => all("/v1/plans", { at });

/** One plan on `at`: its items with status, deadline, lead, implementing acts, overdue. */
export const plan = (id, at) => get(`/v1/plans/${encodeURIComponent(id)}`, { at });

/** Every recorded act by id (the list the page reads once anyway). */
export const actsById = async () => new Map((await acts()).map((a) => [String(a.id), a]));

export const history = (id) => get(`/v1/units/${id}/history`);

export const acts = () => all("/v1/acts");

export const act = (id) => get(`/v1/acts/${id}`);

export const codeAt = (code, at, level) => get(`/v1/codes/${encodeURIComponent(code)}`, { at, level });

/** Every unit on `at` (the whole country), flat, each with its parent_id. */
export async function snapshot(at) {
  const rows = await get("/v1/snapshot", { at });
  return rows.items.map(unit);
}

/** Every unit under `id` on `at` (not `id` itself), flat, each with its parent_id. */
export async function subtree(id, at) {
  const rows = await get("/v1/snapshot", { at, within: id, format: "json" });
  const list = Array.isArray(rows) ? rows : rows.items ?? rows.units;
  return list.map(unit).filter((u) => u.id !== id);
}

// A national day of changes holds some 35,000 facts: read them all, a thousand at a time.
export const changes = (from, to, within) =>
  all("/v1/changes", { from, to, within, limit: 1000 }, 200000);

export const lineage = async (id, direction, depth = 1) => {
  const body = await get(`/v1/units/${id}/lineage`, { direction, depth });
  return Array.isArray(body) ? body : body.items;
};

