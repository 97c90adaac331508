import { describe, expect, it } from "vitest";
import { formatDuration, formatTime, localDate, localDayRange, minutesUntil, nextSlot, weekOf, zonedToUtc } from "./time";

describe("times in the location's zone", () => {
  it("shows UTC instants as local wall-clock time", () => {
    expect(formatTime("2026-11-30T18:05:00Z", "Asia/Almaty")).toBe("23:05");
    expect(formatTime("2026-11-30T18:05:00Z", "Europe/Moscow")).toBe("21:05");
  });
  it("knows the local day", () => {
    expect(localDate("Asia/Almaty", new Date("2026-11-30T20:00:00Z"))).toBe("2026-12-01");
    expect(localDate("UTC", new Date("2026-11-30T20:00:00Z"))).toBe("2026-11-30");
  });
  it("turns local midnight into UTC, across a DST change too", () => {
    expect(zonedToUtc("2026-12-01", "00:00", "Asia/Almaty").toISOString()).toBe("2026-11-30T19:00:00.000Z");
    expect(localDayRange("Europe/Berlin", "2026-03-29")).toEqual({ from: "2026-03-28T23:00:00.000Z", to: "2026-03-29T22:00:00.000Z" });
  });
  it("weeks run Monday to Sunday", () => {
    expect(weekOf("2026-12-03")).toEqual({ from: "2026-11-30", to: "2026-12-06" });
    expect(weekOf("2026-11-30")).toEqual({ from: "2026-11-30", to: "2026-12-06" });
  });
  it("offers the next half hour for a booking, past midnight into the next day", () => {
    expect(nextSlot("Asia/Almaty", 30, new Date("2026-11-30T18:05:00Z"))).toEqual({ date: "2026-11-30", time: "23:30" });
    expect(nextSlot("Asia/Almaty", 30, new Date("2026-11-30T18:45:00Z"))).toEqual({ date: "2026-12-01", time: "00:00" });
  });
  it("durations and time left", () => {
    expect(formatDuration(65)).toBe("1 ч 05 мин");
    expect(formatDuration(45, "en")).toBe("45 min");
    expect(minutesUntil("2026-11-30T18:10:00Z", Date.parse("2026-11-30T18:00:30Z"))).toBe(9);
  });
});
