import type { QuotePartsFragment } from "@clubgrid/client";
import { useApp } from "../app/context";
import { formatMoney } from "../lib/money";
import { formatDuration } from "../lib/time";
import { useI18n } from "../lib/i18n";

/** A bill with its breakdown: each tariff window or package, the discount that won, the total. */
export function QuoteView({ quote, title, note, paid }: { quote: QuotePartsFragment; title: string; note?: string; paid?: string }) {
  const { t, lang } = useI18n();
  const { currency } = useApp();
  return (
    <div className="rounded-md border border-slate-200" data-testid="quote">
      <div className="flex flex-wrap items-baseline justify-between gap-x-3 border-b border-slate-200 bg-slate-50 px-3 py-2 text-sm">
        <span className="font-semibold">{title}</span>
        <span className="text-slate-600">
          {t("billed")}: {formatDuration(quote.billedMinutes, lang)}
        </span>
        {note && <span className="basis-full text-xs text-slate-600">{note}</span>}
      </div>
      <table className="w-full text-sm">
        <tbody>
          {quote.lines.map((line, i) => (
            <tr key={i} className="border-b border-slate-100">
              <td className="px-3 py-1.5">{line.label}</td>
              <td className="px-3 py-1.5 text-right text-slate-600 tabular-nums">
                {formatDuration(line.minutes, lang)}
                {line.pricePerHour ? ` × ${formatMoney(line.pricePerHour, currency)}/${t("hours")}` : ""}
              </td>
              <td className="px-3 py-1.5 text-right tabular-nums">{formatMoney(line.amount, currency)}</td>
            </tr>
          ))}
          <tr className="border-b border-slate-100">
            <td className="px-3 py-1.5 text-slate-600" colSpan={2}>
              {t("subtotal")}
            </td>
            <td className="px-3 py-1.5 text-right tabular-nums">{formatMoney(quote.subtotal, currency)}</td>
          </tr>
          {quote.discount && (
            <tr className="border-b border-slate-100 text-emerald-700">
              <td className="px-3 py-1.5" colSpan={2}>
                {t("discount")}: {quote.discount.label}
              </td>
              <td className="px-3 py-1.5 text-right tabular-nums">−{formatMoney(quote.discount.amount, currency)}</td>
            </tr>
          )}
          <tr className="font-semibold">
            <td className="px-3 py-2" colSpan={2}>
              {t("total")}
            </td>
            <td className="px-3 py-2 text-right tabular-nums" data-testid="quote-total">
              {formatMoney(quote.total, currency)}
            </td>
          </tr>
          {paid !== undefined && (
            <tr className="text-slate-600">
              <td className="px-3 py-1.5" colSpan={2}>
                {t("paid")}
              </td>
              <td className="px-3 py-1.5 text-right tabular-nums">{formatMoney(paid, currency)}</td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
