// What the admin forms hold (strings, as typed) and the API inputs they turn into. A value the
// app can tell is wrong before sending (an amount that is not one, a number that is not whole)
// is refused here, named the way the API would name it, so it is shown next to its field; the
// rest is the API's to judge.
import type { AdminPromotionFragment, AdminTariffFragment, PromotionInput, PromotionKind, Rounding, TariffInput, TariffPackageInput } from "@clubgrid/client";
import type { ShownError } from "../lib/errors";
import { parseMoney } from "../lib/money";

export type Checked<T> = { ok: true; value: T } | { ok: false; error: ShownError };

export interface Messages {
  badAmount: string;
  badNumber: string;
}

function fail<T>(field: string, message: string): Checked<T> {
  return { ok: false, error: { code: "VALIDATION", message, field: `input.${field}` } };
}

/** "12 500" → "12500"; an empty or malformed amount is refused under `field`. */
function money(field: string, value: string, m: Messages): Checked<string> {
  const parsed = parseMoney(value);
  return parsed === null ? fail(field, m.badAmount) : { ok: true, value: parsed };
}

/** A whole number, or null when the field is left empty and `optional`. */
function whole(field: string, value: string, m: Messages, optional = false): Checked<number | null> {
  const text = value.trim();
  if (text === "" && optional) return { ok: true, value: null };
  if (!/^-?\d+$/.test(text)) return fail(field, m.badNumber);
  return { ok: true, value: Number(text) };
}

/** "22:00" (from a time input) → "22:00:00"; the API's times carry seconds. */
export function apiTime(value: string): string {
  return /^\d{2}:\d{2}$/.test(value) ? `${value}:00` : value;
}

/** "22:00:00" → "22:00" for a time input. */
export function inputTime(value: string | null | undefined): string {
  return value ? value.slice(0, 5) : "";
}

/** "400.00" → "400", "250.50" stays: an amount from the API as a person would type it. */
export function inputMoney(value: string | null | undefined): string {
  return value ? value.replace(/\.0+$/, "") : "";
}

function blank(value: string): string | null {
  const text = value.trim();
  return text === "" ? null : text;
}

export interface WindowForm {
  name: string;
  weekdays: number[];
  startsAt: string;
  endsAt: string;
  pricePerHour: string;
}

export interface TariffForm {
  name: string;
  pricePerHour: string;
  stepMinutes: string;
  rounding: Rounding;
  active: boolean;
  windows: WindowForm[];
}

export function tariffForm(tariff?: AdminTariffFragment): TariffForm {
  if (!tariff) return { name: "", pricePerHour: "", stepMinutes: "1", rounding: "UP", active: true, windows: [] };
  return {
    name: tariff.name,
    pricePerHour: inputMoney(tariff.pricePerHour),
    stepMinutes: String(tariff.stepMinutes),
    rounding: tariff.rounding,
    active: tariff.active,
    windows: tariff.windows.map((w) => ({
      name: w.name,
      // Every day is stored as all seven; the form shows it as "none chosen".
      weekdays: w.weekdays.length === 7 ? [] : [...w.weekdays],
      startsAt: inputTime(w.startsAt),
      endsAt: inputTime(w.endsAt),
      pricePerHour: inputMoney(w.pricePerHour),
    })),
  };
}

export function tariffInput(form: TariffForm, m: Messages): Checked<TariffInput> {
  const price = money("pricePerHour", form.pricePerHour, m);
  if (!price.ok) return price;
  const step = whole("stepMinutes", form.stepMinutes, m);
  if (!step.ok) return step;
  const windows: TariffInput["windows"] = [];
  for (const [i, w] of form.windows.entries()) {
    const p = money(`windows[${i}].pricePerHour`, w.pricePerHour, m);
    if (!p.ok) return p;
    windows.push({ name: w.name.trim(), weekdays: w.weekdays, startsAt: apiTime(w.startsAt), endsAt: apiTime(w.endsAt), pricePerHour: p.value });
  }
  return { ok: true, value: { name: form.name.trim(), pricePerHour: price.value, stepMinutes: step.value ?? 1, rounding: form.rounding, active: form.active, windows } };
}

export interface PackageForm {
  name: string;
  price: string;
  kind: "duration" | "window";
  minutes: string;
  windowStart: string;
  windowEnd: string;
}

export function packageForm(): PackageForm {
  return { name: "", price: "", kind: "duration", minutes: "180", windowStart: "22:00", windowEnd: "08:00" };
}

export function packageInput(tariffId: string, form: PackageForm, m: Messages): Checked<TariffPackageInput> {
  const price = money("price", form.price, m);
  if (!price.ok) return price;
  if (form.kind === "duration") {
    const minutes = whole("minutes", form.minutes, m);
    if (!minutes.ok) return minutes;
    return { ok: true, value: { tariffId, name: form.name.trim(), price: price.value, minutes: minutes.value, windowStart: null, windowEnd: null } };
  }
  return { ok: true, value: { tariffId, name: form.name.trim(), price: price.value, minutes: null, windowStart: apiTime(form.windowStart), windowEnd: apiTime(form.windowEnd) } };
}

export interface PromotionForm {
  name: string;
  kind: PromotionKind;
  payMinutes: string;
  freeMinutes: string;
  percent: string;
  pricePerHour: string;
  weekdays: number[];
  startsAt: string;
  endsAt: string;
  validFrom: string;
  validTo: string;
  zoneIds: string[];
  active: boolean;
}

export function promotionForm(p?: AdminPromotionFragment): PromotionForm {
  if (!p) {
    return { name: "", kind: "PERCENT", payMinutes: "120", freeMinutes: "60", percent: "10", pricePerHour: "", weekdays: [], startsAt: "", endsAt: "", validFrom: "", validTo: "", zoneIds: [], active: true };
  }
  return {
    name: p.name,
    kind: p.kind,
    payMinutes: p.payMinutes?.toString() ?? "",
    freeMinutes: p.freeMinutes?.toString() ?? "",
    percent: p.percent?.toString() ?? "",
    pricePerHour: inputMoney(p.pricePerHour),
    weekdays: p.weekdays.length === 7 ? [] : [...p.weekdays],
    startsAt: inputTime(p.startsAt),
    endsAt: inputTime(p.endsAt),
    validFrom: p.validFrom ?? "",
    validTo: p.validTo ?? "",
    zoneIds: [...p.zoneIds],
    active: p.active,
  };
}

/** Only the terms of the chosen kind are sent; the others are left out. */
export function promotionInput(form: PromotionForm, m: Messages): Checked<PromotionInput> {
  const input: PromotionInput = {
    name: form.name.trim(),
    kind: form.kind,
    payMinutes: null,
    freeMinutes: null,
    percent: null,
    pricePerHour: null,
    weekdays: form.weekdays,
    startsAt: form.startsAt ? apiTime(form.startsAt) : null,
    endsAt: form.endsAt ? apiTime(form.endsAt) : null,
    validFrom: blank(form.validFrom),
    validTo: blank(form.validTo),
    zoneIds: form.zoneIds,
    active: form.active,
  };
  if (form.kind === "BONUS_TIME") {
    const pay = whole("payMinutes", form.payMinutes, m);
    if (!pay.ok) return pay;
    const free = whole("freeMinutes", form.freeMinutes, m);
    if (!free.ok) return free;
    input.payMinutes = pay.value;
    input.freeMinutes = free.value;
  } else if (form.kind === "PERCENT") {
    const percent = whole("percent", form.percent, m);
    if (!percent.ok) return percent;
    input.percent = percent.value;
  } else {
    const price = money("pricePerHour", form.pricePerHour, m);
    if (!price.ok) return price;
    input.pricePerHour = price.value;
  }
  return { ok: true, value: input };
}

/** "vip, постоянный ,, ночь" → ["vip", "постоянный", "ночь"], without repeats. */
export function parseTags(text: string): string[] {
  return [...new Set(text.split(",").map((t) => t.trim()).filter((t) => t !== ""))];
}
