// Calendar dates as ISO strings (YYYY-MM-DD), counted in whole days in UTC so no time zone moves them.

const DAY = 86400000;

export const dayNumber = (iso) => Math.round(Date.parse(`${iso}T00:00:00Z`) / DAY);

export const fromDayNumber = (n) => new Date(n * DAY).toISOString().slice(0, 10);

export const addDays = (iso, days) => fromDayNumber(dayNumber(iso) + days);

export function today() {
  const now = new Date();
  const local = new Date(now.getTime() - now.getTimezoneOffset() * 60000);
  return local.toISOString().slice(0, 10);
}

/** The last day of a half-open validity [from, to): the day before `to`. */
export const lastDay = (to) => (to ? addDays(to, -1) : null);
