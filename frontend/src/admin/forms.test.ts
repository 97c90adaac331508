import { describe, expect, it } from "vitest";
import { packageInput, parseTags, promotionForm, promotionInput, tariffForm, tariffInput } from "./forms";
import { daysText } from "./weekdays";

const m = { badAmount: "сумма?", badNumber: "число?" };

describe("admin forms become API inputs", () => {
  it("a tariff with a night window, amounts as people type them", () => {
    const form = tariffForm();
    form.name = " Standart ";
    form.pricePerHour = "1 200";
    form.stepMinutes = "5";
    form.windows.push({ name: "Ночь", weekdays: [], startsAt: "22:00", endsAt: "08:00", pricePerHour: "600" });
    expect(tariffInput(form, m)).toEqual({
      ok: true,
      value: { name: "Standart", pricePerHour: "1200", stepMinutes: 5, rounding: "UP", active: true, windows: [{ name: "Ночь", weekdays: [], startsAt: "22:00:00", endsAt: "08:00:00", pricePerHour: "600" }] },
    });
  });
  it("names the row whose price is not an amount, as the API would", () => {
    const form = tariffForm();
    form.pricePerHour = "600";
    form.windows.push({ name: "День", weekdays: [6, 7], startsAt: "10:00", endsAt: "18:00", pricePerHour: "500" });
    form.windows.push({ name: "Ночь", weekdays: [], startsAt: "22:00", endsAt: "08:00", pricePerHour: "дёшево" });
    expect(tariffInput(form, m)).toEqual({ ok: false, error: { code: "VALIDATION", message: "сумма?", field: "input.windows[1].pricePerHour" } });
  });
  it("an edited tariff keeps its windows; every day shows as no day picked", () => {
    const form = tariffForm({
      id: "1",
      zoneId: "2",
      name: "VIP",
      pricePerHour: "1200.00",
      stepMinutes: 1,
      rounding: "NEAREST",
      active: true,
      windows: [{ name: "Ночь", weekdays: [1, 2, 3, 4, 5, 6, 7], startsAt: "22:00:00", endsAt: "08:00:00", pricePerHour: "700.50" }],
      packages: [],
    });
    expect(form.windows[0]).toEqual({ name: "Ночь", weekdays: [], startsAt: "22:00", endsAt: "08:00", pricePerHour: "700.50" });
    expect(form.pricePerHour).toBe("1200");
    expect(form.rounding).toBe("NEAREST");
  });
  it("a package is a duration or a window, never both", () => {
    expect(packageInput("7", { name: "3 часа", price: "1 500", kind: "duration", minutes: "180", windowStart: "22:00", windowEnd: "08:00" }, m)).toEqual({
      ok: true,
      value: { tariffId: "7", name: "3 часа", price: "1500", minutes: 180, windowStart: null, windowEnd: null },
    });
    expect(packageInput("7", { name: "Ночь", price: "2000", kind: "window", minutes: "180", windowStart: "22:00", windowEnd: "08:00" }, m)).toMatchObject({
      ok: true,
      value: { minutes: null, windowStart: "22:00:00", windowEnd: "08:00:00" },
    });
  });
  it("a promotion sends only the terms of its kind", () => {
    const form = promotionForm();
    form.name = "Утро";
    form.kind = "BONUS_TIME";
    form.payMinutes = "120";
    form.freeMinutes = "60";
    form.startsAt = "10:00";
    form.endsAt = "14:00";
    form.zoneIds = ["3"];
    const checked = promotionInput(form, m);
    expect(checked).toMatchObject({ ok: true, value: { kind: "BONUS_TIME", payMinutes: 120, freeMinutes: 60, percent: null, pricePerHour: null, startsAt: "10:00:00", endsAt: "14:00:00", validFrom: null, zoneIds: ["3"] } });
    form.kind = "PERCENT";
    form.percent = "10,5";
    expect(promotionInput(form, m)).toEqual({ ok: false, error: { code: "VALIDATION", message: "число?", field: "input.percent" } });
  });
  it("tags are split by commas, trimmed, without repeats", () => {
    expect(parseTags("vip, ночь ,, vip,турнир ")).toEqual(["vip", "ночь", "турнир"]);
  });
  it("weekdays read as people write them", () => {
    const names = "Пн,Вт,Ср,Чт,Пт,Сб,Вс".split(",");
    expect(daysText([1, 2, 3, 4, 5], names, "каждый день")).toBe("Пн–Пт");
    expect(daysText([6, 7], names, "каждый день")).toBe("Сб, Вс");
    expect(daysText([1, 3, 4, 5, 7], names, "каждый день")).toBe("Пн, Ср–Пт, Вс");
    expect(daysText([], names, "каждый день")).toBe("каждый день");
  });
});
