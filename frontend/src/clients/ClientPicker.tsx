import { useEffect, useId, useState } from "react";
import { useQuery } from "urql";
import { SearchClientsDocument } from "@clubgrid/client";
import type { ClientRowFragment } from "@clubgrid/client";
import { useApp } from "../app/context";
import { formatMoney } from "../lib/money";

export function useDebounced<T>(value: T, ms = 250): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return debounced;
}

/** Search-as-you-type over name, phone and Telegram; picks one client. */
export function ClientPicker({ label, value, onChange, excludeId }: { label: string; value: ClientRowFragment | null; onChange: (c: ClientRowFragment | null) => void; excludeId?: string }) {
  const id = useId();
  const { currency } = useApp();
  const [text, setText] = useState("");
  const search = useDebounced(text.trim());
  const [result] = useQuery({ query: SearchClientsDocument, variables: { filter: { search }, page: { limit: 8 } }, pause: search.length < 2 || value !== null });
  const items = (result.data?.clients.items ?? []).filter((c) => c.id !== excludeId);
  if (value) {
    return (
      <div className="flex flex-col gap-1 text-sm">
        <span className="font-medium text-slate-700">{label}</span>
        <div className="flex items-center justify-between rounded-md border border-sky-300 bg-sky-50 px-2 py-1.5">
          <span>
            {value.displayName} <span className="text-slate-500">{value.phone}</span> · {formatMoney(value.balance, currency)}
          </span>
          <button type="button" onClick={() => onChange(null)} className="px-1 text-slate-500" aria-label="×">
            ×
          </button>
        </div>
      </div>
    );
  }
  return (
    <div className="relative flex flex-col gap-1 text-sm">
      <label htmlFor={id} className="font-medium text-slate-700">
        {label}
      </label>
      <input id={id} role="combobox" aria-expanded={items.length > 0} aria-autocomplete="list" value={text} onChange={(e) => setText(e.target.value)} className="rounded-md border border-slate-300 px-2 py-1.5" />
      {items.length > 0 && (
        <ul role="listbox" className="absolute top-full z-10 mt-1 max-h-56 w-full overflow-y-auto rounded-md border border-slate-200 bg-white shadow-lg">
          {items.map((c) => (
            <li key={c.id} role="option" aria-selected={false}>
              <button type="button" onClick={() => onChange(c)} className="flex w-full justify-between px-2 py-1.5 text-left hover:bg-sky-50">
                <span>{c.displayName}</span>
                <span className="text-slate-500">{c.phone ?? (c.telegramUsername ? `@${c.telegramUsername}` : "")}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
