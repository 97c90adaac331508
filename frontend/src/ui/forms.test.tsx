import { act } from "react";
import { createRoot } from "react-dom/client";
import { describe, expect, it } from "vitest";
import { Field, buttonSize } from "./ui";

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

function render(node: React.ReactNode): HTMLElement {
  const host = document.createElement("div");
  document.body.appendChild(host);
  act(() => createRoot(host).render(node));
  return host;
}

describe("form fields", () => {
  it("are labelled, and marked invalid when a VALIDATION error names them", () => {
    const error = { code: "VALIDATION", message: "Сумма должна быть больше нуля", field: "input.amount" };
    const host = render(
      <>
        <Field label="Сумма" name="amount" apiField="amount" error={error} defaultValue="0" />
        <Field label="Причина" name="reason" apiField="reason" error={error} />
      </>,
    );
    const amount = host.querySelector<HTMLInputElement>('input[name="amount"]');
    const reason = host.querySelector<HTMLInputElement>('input[name="reason"]');
    expect(amount?.getAttribute("aria-invalid")).toBe("true");
    expect(reason?.hasAttribute("aria-invalid")).toBe(false);
    expect(host.textContent).toContain("Сумма должна быть больше нуля");
    const label = host.querySelector("label");
    expect(label?.getAttribute("for")).toBe(amount?.id);
  });
});

describe("buttons", () => {
  it("take a size from their class names instead of fighting the default", () => {
    expect(buttonSize("")).toBe("px-3 py-1.5 text-sm");
    expect(buttonSize("px-2 py-0.5 text-xs text-rose-700")).toBe("");
    expect(buttonSize("ml-auto text-rose-700 pointer-coarse:py-1")).toBe("px-3 py-1.5 text-sm");
    expect(buttonSize("px-1.5 text-[11px]")).toBe("py-1.5");
  });
});
