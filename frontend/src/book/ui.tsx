// The public page's few building blocks: big touch targets, mobile first.
import { useId } from "react";
import type { ButtonHTMLAttributes, InputHTMLAttributes, ReactNode } from "react";
import type { CombinedError } from "@urql/core";
import { describeError } from "../lib/errors";
import { useLang } from "./text";

export function Btn({ primary = false, className = "", ...props }: ButtonHTMLAttributes<HTMLButtonElement> & { primary?: boolean }) {
  const tone = primary
    ? "bg-sky-700 text-white hover:bg-sky-800 disabled:bg-sky-300"
    : "bg-white text-slate-800 border border-slate-300 hover:bg-slate-50 disabled:text-slate-400 aria-pressed:border-sky-600 aria-pressed:bg-sky-50 aria-pressed:text-sky-900";
  return <button type="button" {...props} className={`min-h-11 rounded-lg px-4 py-2 text-base font-medium transition-colors disabled:cursor-not-allowed ${tone} ${className}`} />;
}

export function Panel({ title, children, className = "" }: { title?: ReactNode; children: ReactNode; className?: string }) {
  return (
    <section className={`rounded-xl bg-white p-4 shadow-sm ${className}`}>
      {title && <h2 className="mb-3 text-lg font-semibold text-slate-800">{title}</h2>}
      {children}
    </section>
  );
}

export function Field({ label, hint, error, ...props }: InputHTMLAttributes<HTMLInputElement> & { label: string; hint?: string; error?: string | null }) {
  const id = useId();
  return (
    <div className="flex flex-col gap-1">
      <label htmlFor={id} className="text-sm font-medium text-slate-700">
        {label}
      </label>
      <input
        id={id}
        aria-invalid={error ? true : undefined}
        aria-describedby={error || hint ? `${id}-note` : undefined}
        {...props}
        className="min-h-11 rounded-lg border border-slate-300 px-3 text-base aria-invalid:border-rose-500"
      />
      {(error || hint) && (
        <span id={`${id}-note`} className={`text-sm ${error ? "text-rose-700" : "text-slate-500"}`}>
          {error ?? hint}
        </span>
      )}
    </div>
  );
}

/** The API's message for an error, in the page's language, or nothing. */
export function useErrorText(error: CombinedError | Error | null | undefined): string | null {
  const lang = useLang();
  return describeError(error ?? null, lang)?.message ?? null;
}

export function Alert({ children, tone = "error" }: { children: ReactNode; tone?: "error" | "info" | "ok" }) {
  const tones = { error: "border-rose-300 bg-rose-50 text-rose-900", info: "border-sky-300 bg-sky-50 text-sky-900", ok: "border-emerald-300 bg-emerald-50 text-emerald-900" };
  return (
    <div role={tone === "error" ? "alert" : "status"} className={`rounded-lg border px-3 py-2 text-sm ${tones[tone]}`}>
      {children}
    </div>
  );
}

export function ErrorNote({ error }: { error: CombinedError | Error | null | undefined }) {
  const text = useErrorText(error);
  return text ? <Alert>{text}</Alert> : null;
}
