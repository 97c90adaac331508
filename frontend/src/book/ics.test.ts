import { describe, expect, it } from "vitest";
import { icsFile } from "./ics";

describe("icsFile", () => {
  const event = {
    uid: "AB12CD@clubgrid",
    title: "Стрижка, мастер Алия",
    location: "ул. Абая, 10; 2 этаж",
    description: "Код записи AB12CD",
    startsAt: "2026-12-02T04:30:00Z",
    endsAt: "2026-12-02T05:30:00Z",
  };

  it("writes a VEVENT in UTC with escaped text and CRLF lines", () => {
    const text = icsFile(event, new Date("2026-12-01T00:00:00Z"));
    expect(text).toContain("BEGIN:VEVENT\r\n");
    expect(text).toContain("DTSTART:20261202T043000Z\r\n");
    expect(text).toContain("DTEND:20261202T053000Z\r\n");
    expect(text).toContain("DTSTAMP:20261201T000000Z\r\n");
    expect(text).toContain("SUMMARY:Стрижка\\, мастер Алия\r\n");
    expect(text).toContain("LOCATION:ул. Абая\\, 10\\; 2 этаж\r\n");
    expect(text.endsWith("END:VCALENDAR\r\n")).toBe(true);
  });

  it("folds lines longer than 75 octets", () => {
    const text = icsFile({ ...event, description: "Я".repeat(60) });
    const lines = text.split("\r\n");
    for (const line of lines) expect(new TextEncoder().encode(line).length).toBeLessThanOrEqual(75);
    expect(lines.some((l) => l.startsWith(" "))).toBe(true);
  });
});
