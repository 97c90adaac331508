import { useEffect, useId, useRef } from "react";
import type { ButtonHTMLAttributes, InputHTMLAttributes, ReactNode, SelectHTMLAttributes, TextareaHTMLAttributes } from "react";
import type { ShownError } from "../lib/errors";
import { fieldHasError, messageAtField } from "../lib/errors";
import { useI18n } from "../lib/i18n";

type Tone = "primary" | "secondary" | "danger" | "ghost";

const tones: Record<Tone, string> = {
  primary: "bg-sky-600 text-white hover:bg-sky-700 disabled:bg-sky-300",
  secondary: "bg-white text-slate-800 border border-slate-300 hover:bg-slate-50 disabled:text-slate-400 aria-pressed:border-sky-500 aria-pressed:bg-sky-50 aria-pressed:text-sky-900",
  danger: "bg-rose-600 text-white hover:bg-rose-700 disabled:bg-rose-300",
  ghost: "text-slate-700 hover:bg-slate-200",
};

/**
 * The default padding and text size, each left out when `className` sets its own: two
 * utilities for one property are decided by the stylesheet's order, not the class list's, so
 * `px-2` next to the default `px-3` would lose.
 */
export function buttonSize(className: string): string {
  const own = (pattern: RegExp) => className.split(/\s+/).some((c) => pattern.test(c));
  return [own(/^px-/) ? "" : "px-3", own(/^py-/) ? "" : "py-1.5", own(/^text-(?:xs|sm|base|lg|\[)/) ? "" : "text-sm"].filter(Boolean).join(" ");
}

export function Button({ tone = "secondary", className = "", ...props }: ButtonHTMLAttributes<HTMLButtonElement> & { tone?: Tone }) {
  return (
    <button
      type="button"
      {...props}
      className={`inline-flex items-center justify-center gap-1 rounded-md font-medium transition-colors disabled:cursor-not-allowed ${buttonSize(className)} ${tones[tone]} ${className}`}
    />
  );
}

export function Card({ title, actions, children, className = "", dense = false }: { title?: ReactNode; actions?: ReactNode; children: ReactNode; className?: string; dense?: boolean }) {
  return (
    <section className={`rounded-lg border border-slate-200 bg-white shadow-sm ${dense ? "p-3" : "p-4"} ${className}`}>
      {(title || actions) && (
        <header className={`${dense ? "mb-2" : "mb-3"} flex flex-wrap items-center justify-between gap-2`}>
          <h2 className="text-base font-semibold text-slate-800">{title}</h2>
          <div className="flex flex-wrap gap-2">{actions}</div>
        </header>
      )}
      {children}
    </section>
  );
}

interface FieldProps extends InputHTMLAttributes<HTMLInputElement> {
  label: string;
  /** The input's name in the API, for VALIDATION highlighting. */
  apiField?: string;
  error?: ShownError | null;
  hint?: string;
}

/**
 * The frame of a labelled control: the label above, the control, and under it the API's
 * message when a VALIDATION error names this field (else the hint). The message is tied to
 * the control by `aria-describedby`, so it is read with it but is not part of its name.
 */
function Labelled({ id, label, className, bad, error, hint, children }: { id: string; label: string; className: string; bad: boolean; error?: ShownError | null | undefined; hint?: string | undefined; children: ReactNode }) {
  return (
    <div className={`flex min-w-0 flex-col gap-1 text-sm ${className}`}>
      <label htmlFor={id} className="font-medium text-slate-700">
        {label}
      </label>
      {children}
      {bad && error ? (
        <span id={`${id}-note`} className="text-xs text-rose-700">
          {messageAtField(error)}
        </span>
      ) : hint ? (
        <span id={`${id}-note`} className="text-xs text-slate-500">
          {hint}
        </span>
      ) : null}
    </div>
  );
}

const controlTone = (bad: boolean) => `w-full min-w-0 rounded-md border px-2 py-1.5 text-slate-900 disabled:bg-slate-100 disabled:text-slate-500 ${bad ? "border-rose-500 bg-rose-50" : "border-slate-300 bg-white"}`;

export function Field({ label, apiField, error, hint, className = "", ...props }: FieldProps) {
  const id = useId();
  const bad = apiField ? fieldHasError(error ?? null, apiField) : false;
  const noted = (bad && error) || hint;
  return (
    <Labelled id={id} label={label} className={className} bad={bad} error={error} hint={hint}>
      <input id={id} aria-invalid={bad || undefined} aria-describedby={noted ? `${id}-note` : undefined} {...props} className={controlTone(bad)} />
    </Labelled>
  );
}

export function Select({ label, apiField, error, hint, children, className = "", ...props }: SelectHTMLAttributes<HTMLSelectElement> & { label: string; apiField?: string; error?: ShownError | null; hint?: string }) {
  const id = useId();
  const bad = apiField ? fieldHasError(error ?? null, apiField) : false;
  const noted = (bad && error) || hint;
  return (
    <Labelled id={id} label={label} className={className} bad={bad} error={error} hint={hint}>
      <select id={id} aria-invalid={bad || undefined} aria-describedby={noted ? `${id}-note` : undefined} {...props} className={controlTone(bad)}>
        {children}
      </select>
    </Labelled>
  );
}

export function TextArea({ label, apiField, error, className = "", ...props }: TextareaHTMLAttributes<HTMLTextAreaElement> & { label: string; apiField?: string; error?: ShownError | null }) {
  const id = useId();
  const bad = apiField ? fieldHasError(error ?? null, apiField) : false;
  return (
    <Labelled id={id} label={label} className={className} bad={bad} error={error}>
      <textarea id={id} aria-invalid={bad || undefined} aria-describedby={bad ? `${id}-note` : undefined} rows={3} {...props} className={controlTone(bad)} />
    </Labelled>
  );
}

export function Checkbox({ label, className = "", ...props }: InputHTMLAttributes<HTMLInputElement> & { label: ReactNode }) {
  return (
    <label className={`flex items-center gap-2 text-sm ${className}`}>
      <input type="checkbox" {...props} className="h-4 w-4 rounded border-slate-300" />
      <span>{label}</span>
    </label>
  );
}

/** ISO weekdays (1 = Monday) as a row of toggles; none chosen means every day. */
export function WeekdayPicker({ label, value, onChange, apiField, error, names }: { label: string; value: number[]; onChange: (days: number[]) => void; apiField?: string; error?: ShownError | null; names: readonly string[] }) {
  const bad = apiField ? fieldHasError(error ?? null, apiField) : false;
  return (
    <fieldset className="flex flex-col gap-1 text-sm">
      <legend className="mb-1 font-medium text-slate-700">{label}</legend>
      <div className={`flex flex-wrap gap-1 ${bad ? "rounded-md ring-2 ring-rose-500" : ""}`}>
        {names.map((name, i) => {
          const day = i + 1;
          const on = value.includes(day);
          return (
            <button
              key={day}
              type="button"
              aria-pressed={on}
              onClick={() => onChange(on ? value.filter((d) => d !== day) : [...value, day].sort((a, b) => a - b))}
              className={`w-9 rounded-md border px-1 py-1 text-xs ${on ? "border-sky-600 bg-sky-600 text-white" : "border-slate-300 bg-white text-slate-700 hover:bg-slate-50"}`}
            >
              {name}
            </button>
          );
        })}
      </div>
      {bad && error ? <span className="text-xs text-rose-700">{messageAtField(error)}</span> : null}
    </fieldset>
  );
}

export function ErrorBox({ error }: { error: ShownError | null }) {
  if (!error) return null;
  return (
    <div role="alert" data-code={error.code} className="rounded-md border border-rose-300 bg-rose-50 px-3 py-2 text-sm text-rose-800">
      <span className="mr-2 rounded bg-rose-200 px-1.5 py-0.5 font-mono text-xs">{error.code}</span>
      {error.message}
    </div>
  );
}

export function Loading() {
  const { t } = useI18n();
  return (
    <div className="flex items-center gap-2 p-4 text-sm text-slate-500" role="status">
      <span className="h-4 w-4 animate-spin rounded-full border-2 border-slate-300 border-t-sky-600" />
      {t("loading")}
    </div>
  );
}

export function Empty({ children }: { children?: ReactNode }) {
  const { t } = useI18n();
  return <p className="p-4 text-center text-sm text-slate-500">{children ?? t("nothingHere")}</p>;
}

export function Dialog({ title, onClose, children, footer, wide = false }: { title: string; onClose: () => void; children: ReactNode; footer?: ReactNode; wide?: boolean }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);
  return (
    <dialog
      ref={ref}
      aria-label={title}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
      className={`m-auto w-[calc(100%-2rem)] ${wide ? "max-w-3xl" : "max-w-lg"} rounded-lg p-0 shadow-xl backdrop:bg-slate-900/40`}
    >
      <div className="flex max-h-[85vh] flex-col">
        <header className="flex items-center justify-between border-b border-slate-200 px-4 py-3">
          <h2 className="text-base font-semibold">{title}</h2>
          <button type="button" onClick={onClose} aria-label="×" className="rounded px-2 text-xl leading-none text-slate-500 hover:bg-slate-100">
            ×
          </button>
        </header>
        <div className="flex flex-col gap-3 overflow-y-auto px-4 py-3">{children}</div>
        {footer && <footer className="flex flex-wrap justify-end gap-2 border-t border-slate-200 px-4 py-3">{footer}</footer>}
      </div>
    </dialog>
  );
}

/** "1–50 of 120" with Back and Next, for a list read a page at a time. */
export function Pager({ offset, shown, total, size, onOffset }: { offset: number; shown: number; total: number; size: number; onOffset: (offset: number) => void }) {
  const { t } = useI18n();
  return (
    <div className="mt-2 flex items-center justify-end gap-2 text-sm text-slate-600">
      <span>{t("notifyShown", { from: offset + 1, to: offset + shown, total })}</span>
      <Button disabled={offset === 0} onClick={() => onOffset(Math.max(0, offset - size))}>
        {t("notifyPrev")}
      </Button>
      <Button disabled={offset + size >= total} onClick={() => onOffset(offset + size)}>
        {t("notifyNext")}
      </Button>
    </div>
  );
}

export function Stat({ label, value, tone = "default" }: { label: string; value: ReactNode; tone?: "default" | "good" | "bad" }) {
  const color = tone === "good" ? "text-emerald-700" : tone === "bad" ? "text-rose-700" : "text-slate-900";
  return (
    <div className="rounded-md bg-slate-50 px-3 py-2">
      <div className="text-xs text-slate-500">{label}</div>
      <div className={`text-lg font-semibold tabular-nums ${color}`}>{value}</div>
    </div>
  );
}

/** A fresh idempotency key for the lifetime of one dialog: retries of its submit reuse it. */
export function newIdempotencyKey(): string {
  return typeof crypto !== "undefined" && "randomUUID" in crypto ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(16).slice(2)}`;
}
