// Days and times of the location, whatever the visitor's own time zone.
import type { Lang } from "../lib/time";
import { localDate } from "../lib/time";

/** `count` local dates from today, as YYYY-MM-DD. */
export function nextDays(timeZone: string, count: number, now: Date = new Date()): string[] {
  const days: string[] = [];
  for (let i = 0; days.length < count && i < count + 2; i++) {
    const day = localDate(timeZone, new Date(now.getTime() + i * 86_400_000));
    if (!days.includes(day)) days.push(day);
  }
  return days;
}

/** "пн, 2 дек." / "Mon 2 Dec" for a YYYY-MM-DD date. */
export function dayLabel(date: string, lang: Lang): string {
  const at = new Date(`${date}T12:00:00Z`);
  return new Intl.DateTimeFormat(lang === "ru" ? "ru-RU" : "en-GB", { timeZone: "UTC", weekday: "short", day: "numeric", month: "short" }).format(at);
}

/** The local date of an instant. */
export function dayOf(iso: string, timeZone: string): string {
  return localDate(timeZone, new Date(iso));
}
