import { useI18n } from "../lib/i18n";

/** Short weekday names, Monday first, in the user's language. */
export function useWeekdayNames(): string[] {
  const { t } = useI18n();
  return t("weekdayShort").split(",");
}

/** ISO weekdays as people write them: "Пн–Пт", "Сб, Вс", or `every` for all (or none). */
export function daysText(weekdays: readonly number[], names: readonly string[], every: string): string {
  const days = [...new Set(weekdays)].filter((d) => d >= 1 && d <= 7).sort((a, b) => a - b);
  if (days.length === 0 || days.length === 7) return every;
  const runs: [number, number][] = [];
  for (const d of days) {
    const last = runs[runs.length - 1];
    if (last && last[1] === d - 1) last[1] = d;
    else runs.push([d, d]);
  }
  const name = (d: number) => names[d - 1] ?? String(d);
  return runs.map(([a, b]) => (a === b ? name(a) : b === a + 1 ? `${name(a)}, ${name(b)}` : `${name(a)}–${name(b)}`)).join(", ");
}
