import { describe, expect, it } from "vitest";
import { CombinedError } from "@urql/core";
import { GraphQLError } from "graphql";
import { describeError, fieldHasError } from "./errors";

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
  it("a lost connection is its own case", () => {
    expect(describeError(new CombinedError({ networkError: new Error("fetch failed") }), "ru")?.code).toBe("NETWORK");
  });
});
