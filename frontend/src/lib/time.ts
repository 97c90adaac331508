// Times come from the API in UTC and are shown in the location's time zone.

export type Lang = "ru" | "en";

const locales: Record<Lang, string> = { ru: "ru-RU", en: "en-GB" };

export function formatTime(iso: string | null | undefined, timeZone: string, lang: Lang = "ru"): string {
  if (!iso) return "—";
  return new Intl.DateTimeFormat(locales[lang], { timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(new Date(iso));
}

export function formatDateTime(iso: string | null | undefined, timeZone: string, lang: Lang = "ru"): string {
  if (!iso) return "—";
  return new Intl.DateTimeFormat(locales[lang], {
    timeZone,
    day: "2-digit",
    month: "2-digit",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).format(new Date(iso));
}

export function formatDate(date: string, lang: Lang = "ru"): string {
  const [y, m, d] = date.split("-");
  return lang === "ru" ? `${d}.${m}.${y}` : `${d}/${m}/${y}`;
}

/** "1 ч 05 мин" / "1 h 05 min" from minutes. */
export function formatDuration(minutes: number, lang: Lang = "ru"): string {
  const m = Math.max(0, Math.round(minutes));
  const h = Math.floor(m / 60);
  const rest = m % 60;
  const [hu, mu] = lang === "ru" ? ["ч", "мин"] : ["h", "min"];
  if (h === 0) return `${rest} ${mu}`;
  return `${h} ${hu} ${String(rest).padStart(2, "0")} ${mu}`;
}

/** Whole minutes from `now` until `iso` (negative once past). */
export function minutesUntil(iso: string, now: number = Date.now()): number {
  return Math.floor((new Date(iso).getTime() - now) / 60_000);
}

/** The local calendar date (YYYY-MM-DD) of an instant in a time zone. */
export function localDate(timeZone: string, at: Date = new Date()): string {
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).formatToParts(at);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  return `${get("year")}-${get("month")}-${get("day")}`;
}

/** The offset of a time zone from UTC at an instant, in minutes. */
function offsetMinutes(timeZone: string, at: Date): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const asUtc = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second"));
  return Math.round((asUtc - at.getTime()) / 60_000);
}

/** The UTC instant of a local wall-clock time ("YYYY-MM-DD", "HH:MM") in a time zone. */
export function zonedToUtc(date: string, time: string, timeZone: string): Date {
  const [y, m, d] = date.split("-").map(Number);
  const [hh, mm] = time.split(":").map(Number);
  const guess = Date.UTC(y ?? 1970, (m ?? 1) - 1, d ?? 1, hh ?? 0, mm ?? 0);
  const first = guess - offsetMinutes(timeZone, new Date(guess)) * 60_000;
  return new Date(guess - offsetMinutes(timeZone, new Date(first)) * 60_000);
}

/** `[start, end)` of a location's local day, as UTC ISO strings. */
export function localDayRange(timeZone: string, date: string): { from: string; to: string } {
  const start = zonedToUtc(date, "00:00", timeZone);
  const next = new Date(Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)) + 1));
  const end = zonedToUtc(next.toISOString().slice(0, 10), "00:00", timeZone);
  return { from: start.toISOString(), to: end.toISOString() };
}

/** The Monday..Sunday of the week holding `date`. */
export function weekOf(date: string): { from: string; to: string } {
  const d = new Date(`${date}T00:00:00Z`);
  const weekday = (d.getUTCDay() + 6) % 7;
  const monday = new Date(d.getTime() - weekday * 86_400_000);
  const sunday = new Date(monday.getTime() + 6 * 86_400_000);
  return { from: monday.toISOString().slice(0, 10), to: sunday.toISOString().slice(0, 10) };
}

/** The local wall-clock time ("HH:MM") of an instant in a time zone. */
export function localTime(timeZone: string, at: Date = new Date()): string {
  return new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(at);
}

/** The next local step boundary after `at` (the next half hour by default), as a date and a time. */
export function nextSlot(timeZone: string, stepMinutes = 30, at: Date = new Date()): { date: string; time: string } {
  const step = stepMinutes * 60_000;
  const next = new Date(Math.floor(at.getTime() / step) * step + step);
  return { date: localDate(timeZone, next), time: localTime(timeZone, next) };
}
