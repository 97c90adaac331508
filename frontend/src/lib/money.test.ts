import { describe, expect, it } from "vitest";
import { formatMoney, parseMoney, subtractMoney, sumMoney } from "./money";

const plain = (s: string) => s.replace(/\u00a0/g, " ");

describe("formatMoney", () => {
  it("writes tenge as people do", () => {
    expect(plain(formatMoney("12500"))).toBe("12 500 ₸");
    expect(plain(formatMoney("12500.00"))).toBe("12 500 ₸");
    expect(plain(formatMoney("1234567.5"))).toBe("1 234 567,50 ₸");
    expect(plain(formatMoney("0"))).toBe("0 ₸");
    expect(plain(formatMoney("999"))).toBe("999 ₸");
  });
  it("puts the minus before the digits and never shows −0", () => {
    expect(plain(formatMoney("-350.5"))).toBe("−350,50 ₸");
    expect(plain(formatMoney("-0.00"))).toBe("0 ₸");
  });
  it("keeps groups together with non-breaking spaces", () => {
    expect(formatMoney("12500")).toBe("12\u00a0500\u00a0₸");
  });
  it("shows a dash for nothing and other currencies by their sign", () => {
    expect(formatMoney(null)).toBe("—");
    expect(plain(formatMoney("100", "RUB"))).toBe("100 ₽");
  });
});

describe("parseMoney", () => {
  it("reads what people type", () => {
    expect(parseMoney("12 500")).toBe("12500");
    expect(parseMoney("12500,5")).toBe("12500.50");
    expect(parseMoney("1\u00a0000.00 ₸")).toBe("1000.00");
    expect(parseMoney("007")).toBe("7");
  });
  it("refuses what is not an amount", () => {
    expect(parseMoney("")).toBeNull();
    expect(parseMoney("12.345")).toBeNull();
    expect(parseMoney("abc")).toBeNull();
    expect(parseMoney("-5")).toBeNull();
    expect(parseMoney("-5", { allowNegative: true })).toBe("-5");
  });
});

describe("exact arithmetic", () => {
  it("subtracts and sums in minor units", () => {
    expect(subtractMoney("1000", "33250")).toBe("-32250");
    expect(subtractMoney("0.3", "0.1")).toBe("0.20");
    expect(sumMoney("0.1", "0.2", "10")).toBe("10.30");
  });
});
