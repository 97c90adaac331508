import { useState } from "react";
import { useMutation, useQuery } from "urql";
import { CloseShiftDocument, CurrentShiftDocument, OpenShiftDocument, RecordCashOperationDocument, ShiftReportDocument } from "@clubgrid/client";
import type { ShiftFiguresFragment } from "@clubgrid/client";
import { useApp, useCan } from "../app/context";
import { describeError } from "../lib/errors";
import type { ShownError } from "../lib/errors";
import { useI18n } from "../lib/i18n";
import type { Key } from "../lib/i18n";
import { formatMoney, parseMoney, subtractMoney, sumMoney } from "../lib/money";
import { formatDateTime } from "../lib/time";
import { Button, Card, ErrorBox, Field, Loading, Stat } from "../ui/ui";

const COUNTED = ["cash", "coins", "kaspi", "card", "debt"] as const;
type Counted = (typeof COUNTED)[number];
const LABEL: Record<Counted, Key> = { cash: "cash", coins: "coins", kaspi: "kaspi", card: "card", debt: "debtBook" };

/** The cash desk: open with a float, pay in and out, close against what the records expect. */
export default function ShiftPage() {
  const { t, lang } = useI18n();
  const { location } = useApp();
  const [current, refetch] = useQuery({ query: CurrentShiftDocument, variables: { locationId: location.id }, requestPolicy: "network-only" });
  const [closed, setClosed] = useState<ShiftFiguresFragment | null>(null);
  if (current.fetching && !current.data) return <Loading />;
  const shift = current.data?.currentShift;
  return (
    <div className="flex max-w-4xl flex-col gap-3">
      <h1 className="text-xl font-semibold">{t("navShift")}</h1>
      <ErrorBox error={describeError(current.error, lang)} />
      {closed && <ShiftFigures figures={closed} title={t("shiftClosedDone")} />}
      {shift ? (
        <OpenShift shiftId={shift.id} openedAt={shift.openedAt} onClosed={(f) => { setClosed(f); refetch({ requestPolicy: "network-only" }); }} />
      ) : (
        <OpenForm onOpened={() => { setClosed(null); refetch({ requestPolicy: "network-only" }); }} />
      )}
    </div>
  );
}

function useMoneyInput(initial = "") {
  const [text, setText] = useState(initial);
  return { text, setText, value: parseMoney(text) };
}

function OpenForm({ onOpened }: { onOpened: () => void }) {
  const { t, lang } = useI18n();
  const { location } = useApp();
  const can = useCan();
  const float = useMoneyInput("0");
  const [result, open] = useMutation(OpenShiftDocument);
  const [local, setLocal] = useState<ShownError | null>(null);
  const error = local ?? describeError(result.error, lang);
  if (!can("Mutation.openShift")) return <Card><p className="text-sm text-slate-600">{t("shiftClosed")}</p></Card>;
  async function submit(e: React.FormEvent) {
    e.preventDefault();
    if (float.value === null) return setLocal({ code: "VALIDATION", message: t("badAmount"), field: "openingCash" });
    setLocal(null);
    const res = await open({ locationId: location.id, openingCash: float.value });
    if (!res.error) onOpened();
  }
  return (
    <Card title={t("shiftClosed")}>
      <form onSubmit={submit} className="flex flex-wrap items-end gap-3">
        <Field label={t("openingCash")} name="openingCash" inputMode="decimal" value={float.text} onChange={(e) => float.setText(e.target.value)} apiField="openingCash" error={error} />
        <Button tone="primary" type="submit" disabled={result.fetching}>
          {t("openShift")}
        </Button>
      </form>
      <div className="mt-2">
        <ErrorBox error={error} />
      </div>
    </Card>
  );
}

function OpenShift({ shiftId, openedAt, onClosed }: { shiftId: string; openedAt: string; onClosed: (f: ShiftFiguresFragment) => void }) {
  const { t, lang } = useI18n();
  const { location, currency } = useApp();
  const can = useCan();
  const [report, refetch] = useQuery({ query: ShiftReportDocument, variables: { id: shiftId }, requestPolicy: "network-only" });
  const figures = report.data?.shiftReport;
  return (
    <>
      <Card title={`${t("shiftOpen")} · ${t("openedAt")} ${formatDateTime(openedAt, location.timezone, lang)}`}>
        {figures ? (
          <div className="grid grid-cols-2 gap-2 md:grid-cols-4">
            <Stat label={t("openingCash")} value={formatMoney(figures.shift.openingCash, currency)} />
            <Stat label={t("expectedInDrawer")} value={formatMoney(figures.expectedCash, currency)} />
            <Stat label={t("payIn")} value={formatMoney(figures.payIns, currency)} />
            <Stat label={t("payOut")} value={formatMoney(figures.payOuts, currency)} />
          </div>
        ) : (
          <Loading />
        )}
      </Card>
      {can("Mutation.recordCashOperation") && <CashOperation shiftId={shiftId} onDone={() => refetch({ requestPolicy: "network-only" })} />}
      {can("Mutation.closeShift") && figures && <CloseForm shiftId={shiftId} figures={figures} onClosed={onClosed} />}
    </>
  );
}

function CashOperation({ shiftId, onDone }: { shiftId: string; onDone: () => void }) {
  const { t, lang } = useI18n();
  const { currency } = useApp();
  const amount = useMoneyInput();
  const [reason, setReason] = useState("");
  const [done, setDone] = useState<string | null>(null);
  const [result, record] = useMutation(RecordCashOperationDocument);
  const [local, setLocal] = useState<ShownError | null>(null);
  const error = local ?? describeError(result.error, lang);
  async function submit(out: boolean) {
    if (amount.value === null) return setLocal({ code: "VALIDATION", message: t("badAmount"), field: "amount" });
    setLocal(null);
    const res = await record({ shiftId, amount: amount.value, out, reason: reason.trim() });
    if (!res.error) {
      setDone(`${out ? t("payOut") : t("payIn")}: ${formatMoney(amount.value, currency)}`);
      amount.setText("");
      setReason("");
      onDone();
    }
  }
  return (
    <Card title={`${t("payIn")} / ${t("payOut")}`}>
      <form onSubmit={(e) => e.preventDefault()} className="flex flex-wrap items-end gap-3">
        <Field label={t("amount")} name="amount" inputMode="decimal" value={amount.text} onChange={(e) => amount.setText(e.target.value)} apiField="amount" error={error} />
        <Field label={t("reason")} name="reason" value={reason} onChange={(e) => setReason(e.target.value)} apiField="reason" error={error} className="min-w-60 flex-1" required />
        <Button onClick={() => void submit(false)} disabled={result.fetching}>
          + {t("payIn")}
        </Button>
        <Button onClick={() => void submit(true)} disabled={result.fetching}>
          − {t("payOut")}
        </Button>
      </form>
      <div className="mt-2 flex flex-col gap-2">
        <ErrorBox error={error} />
        {done && <p className="text-sm text-emerald-700">{t("recorded")}: {done}</p>}
      </div>
    </Card>
  );
}

function CloseForm({ shiftId, figures, onClosed }: { shiftId: string; figures: ShiftFiguresFragment; onClosed: (f: ShiftFiguresFragment) => void }) {
  const { t, lang } = useI18n();
  const { currency } = useApp();
  const [values, setValues] = useState<Record<Counted, string>>({ cash: "", coins: "0", kaspi: "0", card: "0", debt: "0" });
  const [comment, setComment] = useState("");
  const [checking, setChecking] = useState(false);
  const [result, close] = useMutation(CloseShiftDocument);
  const [local, setLocal] = useState<ShownError | null>(null);
  const error = local ?? describeError(result.error, lang);
  const parsed = Object.fromEntries(COUNTED.map((k) => [k, parseMoney(values[k])])) as Record<Counted, string | null>;

  function check(e: React.FormEvent) {
    e.preventDefault();
    const bad = COUNTED.find((k) => parsed[k] === null);
    if (bad) return setLocal({ code: "VALIDATION", message: t("badAmount"), field: bad });
    setLocal(null);
    setChecking(true);
  }
  async function confirm() {
    const input = { cash: parsed.cash ?? "0", coins: parsed.coins ?? "0", kaspi: parsed.kaspi ?? "0", card: parsed.card ?? "0", debt: parsed.debt ?? "0", comment: comment.trim() || null };
    const res = await close({ id: shiftId, input });
    if (res.data) onClosed(res.data.closeShift);
  }
  const rows: { label: string; expected: string; counted: string }[] = [
    { label: `${t("cash")} + ${t("coins")}`, expected: figures.expectedCash, counted: sumMoney(parsed.cash ?? "0", parsed.coins ?? "0") },
    { label: t("kaspi"), expected: figures.expectedKaspi, counted: parsed.kaspi ?? "0" },
    { label: t("card"), expected: figures.expectedCard, counted: parsed.card ?? "0" },
    { label: t("debtBook"), expected: figures.expectedDebt, counted: parsed.debt ?? "0" },
  ];
  return (
    <Card title={t("closeShift")}>
      <form onSubmit={check} className="flex flex-col gap-3" onChange={() => setChecking(false)}>
        <div className="grid grid-cols-2 gap-3 md:grid-cols-5">
          {COUNTED.map((k) => (
            <Field key={k} label={t(LABEL[k])} name={k} inputMode="decimal" value={values[k]} onChange={(e) => setValues({ ...values, [k]: e.target.value })} apiField={k} error={error} required />
          ))}
        </div>
        <Field label={t("comment")} name="comment" value={comment} onChange={(e) => setComment(e.target.value)} />
        {checking && (
          <table className="w-full text-sm" data-testid="close-preview">
            <thead>
              <tr className="text-left text-slate-500">
                <th className="py-1" />
                <th className="py-1 text-right">{t("expected")}</th>
                <th className="py-1 text-right">{t("counted")}</th>
                <th className="py-1 text-right">{t("difference")}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => {
                const diff = subtractMoney(r.counted, r.expected);
                return (
                  <tr key={r.label} className="border-t border-slate-100">
                    <td className="py-1.5">{r.label}</td>
                    <td className="py-1.5 text-right tabular-nums">{formatMoney(r.expected, currency)}</td>
                    <td className="py-1.5 text-right tabular-nums">{formatMoney(r.counted, currency)}</td>
                    <td className={`py-1.5 text-right tabular-nums ${diffTone(diff)}`}>{formatMoney(diff, currency)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
        <ErrorBox error={error} />
        <div className="flex gap-2">
          {!checking ? (
            <Button tone="primary" type="submit">
              {t("check")}
            </Button>
          ) : (
            <Button tone="danger" onClick={() => void confirm()} disabled={result.fetching}>
              {t("closeShift")}
            </Button>
          )}
        </div>
      </form>
    </Card>
  );
}

function diffTone(diff: string): string {
  if (diff.startsWith("-")) return "font-semibold text-rose-700";
  if (/[1-9]/.test(diff)) return "font-semibold text-amber-700";
  return "text-emerald-700";
}

export function ShiftFigures({ figures, title }: { figures: ShiftFiguresFragment; title: string }) {
  const { t } = useI18n();
  const { currency } = useApp();
  const s = figures.shift;
  const rows = [
    { label: `${t("cash")} + ${t("coins")}`, expected: figures.expectedCash, counted: s.countedCash && s.countedCoins ? sumMoney(s.countedCash, s.countedCoins) : null, diff: figures.cashDifference },
    { label: t("kaspi"), expected: figures.expectedKaspi, counted: s.countedKaspi, diff: figures.kaspiDifference },
    { label: t("card"), expected: figures.expectedCard, counted: s.countedCard, diff: figures.cardDifference },
    { label: t("debtBook"), expected: figures.expectedDebt, counted: s.countedDebt, diff: figures.debtDifference },
  ];
  return (
    <Card title={title}>
      <table className="w-full text-sm" data-testid="shift-figures">
        <thead>
          <tr className="text-left text-slate-500">
            <th className="py-1" />
            <th className="py-1 text-right">{t("expected")}</th>
            <th className="py-1 text-right">{t("counted")}</th>
            <th className="py-1 text-right">{t("difference")}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.label} className="border-t border-slate-100">
              <td className="py-1.5">{r.label}</td>
              <td className="py-1.5 text-right tabular-nums">{formatMoney(r.expected, currency)}</td>
              <td className="py-1.5 text-right tabular-nums">{formatMoney(r.counted, currency)}</td>
              <td className={`py-1.5 text-right tabular-nums ${r.diff ? diffTone(r.diff) : ""}`} data-testid="difference">
                {formatMoney(r.diff, currency)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="mt-2 text-xs text-slate-500">
        {t("payments")}: {figures.paymentsCount} · {t("payIn")}: {formatMoney(figures.payIns, currency)} · {t("payOut")}: {formatMoney(figures.payOuts, currency)}
      </p>
    </Card>
  );
}
