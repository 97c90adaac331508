import { describe, expect, it } from "vitest";
import { CombinedError } from "@urql/core";
import { GraphQLError } from "graphql";
import { describeError, fieldHasError, messageAtField } from "./errors";

const validation = new CombinedError({
  graphQLErrors: [new GraphQLError("Сумма должна быть больше нуля", { extensions: { code: "VALIDATION", field: "input.amount", messageEn: "The amount must be above zero" } })],
});

describe("errors from the API", () => {
  it("shows the Russian message by default, the English one on request", () => {
    expect(describeError(validation, "ru")).toEqual({ code: "VALIDATION", message: "Сумма должна быть больше нуля", field: "input.amount" });
    expect(describeError(validation, "en")?.message).toBe("The amount must be above zero");
  });
  it("highlights the field a VALIDATION error names", () => {
    const shown = describeError(validation, "ru");
    expect(fieldHasError(shown, "amount")).toBe(true);
    expect(fieldHasError(shown, "reason")).toBe(false);
  });
  it("tells a form's own field from the same field of a row in it", () => {
    const row = { code: "VALIDATION", message: "конец окна", field: "input.windows[1].endsAt" };
    expect(fieldHasError(row, "windows[1].endsAt")).toBe(true);
    expect(fieldHasError(row, "windows[0].endsAt")).toBe(false);
    expect(fieldHasError(row, "endsAt")).toBe(false);
    expect(fieldHasError({ code: "VALIDATION", message: "зоны", field: "input.zoneIds[2]" }, "zoneIds")).toBe(true);
    expect(fieldHasError({ code: "VALIDATION", message: "часы", field: "hours[1]" }, "hours")).toBe(true);
    expect(fieldHasError({ code: "VALIDATION", message: "лимит", field: "page.limit" }, "limit")).toBe(true);
    expect(fieldHasError({ code: "CONFLICT", message: "занято", field: "input.name" }, "name")).toBe(false);
  });
  it("under its field a message drops the field's path", () => {
    expect(messageAtField({ code: "VALIDATION", message: "Поле «input.windows[1].endsAt»: окно не может начинаться и заканчиваться в одно время", field: "input.windows[1].endsAt" })).toBe("окно не может начинаться и заканчиваться в одно время");
    expect(messageAtField({ code: "VALIDATION", message: "Field `input.email`: not an e-mail address" })).toBe("not an e-mail address");
    expect(messageAtField({ code: "VALIDATION", message: "Сумма должна быть больше нуля" })).toBe("Сумма должна быть больше нуля");
  });
  it("a lost connection is its own case", () => {
    expect(describeError(new CombinedError({ networkError: new Error("fetch failed") }), "ru")?.code).toBe("NETWORK");
  });
});
