import { useEffect, useMemo, useState } from "react";
import { useMutation, useQuery } from "urql";
import {
  ExtendSessionDocument,
  MoveSessionDocument,
  QuoteSessionDocument,
  QuoteStartDocument,
  SetResourceStatusDocument,
  StartSessionDocument,
  StopSessionDocument,
  TariffsDocument,
} from "@clubgrid/client";
import type { ClientRowFragment, PaymentMethod, QuotePartsFragment, QuoteStartInput } from "@clubgrid/client";
import { useApp, useCan } from "../app/context";
import { ClientPicker, useDebounced } from "../clients/ClientPicker";
import { describeError } from "../lib/errors";
import { enumLabel, useI18n } from "../lib/i18n";
import { formatMoney, subtractMoney } from "../lib/money";
import { formatTime } from "../lib/time";
import { Button, Dialog, ErrorBox, Field, Loading, Select, newIdempotencyKey } from "../ui/ui";
import { QuoteView } from "./QuoteView";
import type { Tile } from "./mapState";

const PREPAY_METHODS: PaymentMethod[] = ["CASH", "CARD", "KASPI", "WALLET", "DEBT", "TRANSFER"];

function MethodSelect({ value, onChange, withClient }: { value: PaymentMethod; onChange: (m: PaymentMethod) => void; withClient: boolean }) {
  const { t } = useI18n();
  const methods = withClient ? PREPAY_METHODS : PREPAY_METHODS.filter((m) => m !== "WALLET" && m !== "DEBT");
  return (
    <Select label={t("paymentMethod")} name="paymentMethod" value={value} onChange={(e) => onChange(e.target.value as PaymentMethod)}>
      {methods.map((m) => (
        <option key={m} value={m}>
          {enumLabel(t, m)}
        </option>
      ))}
    </Select>
  );
}

export function StartDialog({ tile, onClose }: { tile: Tile; onClose: () => void }) {
  const { t, lang } = useI18n();
  const { location, currency } = useApp();
  const can = useCan();
  const [key] = useState(newIdempotencyKey);
  const [client, setClient] = useState<ClientRowFragment | null>(null);
  const [guestName, setGuestName] = useState("");
  const [mode, setMode] = useState<"prepaid" | "package" | "open">("prepaid");
  const [minutes, setMinutes] = useState("60");
  const [packageId, setPackageId] = useState("");
  const [method, setMethod] = useState<PaymentMethod>("CASH");
  const [tariffs] = useQuery({ query: TariffsDocument, variables: { locationId: location.id, zoneId: tile.resource.zoneId ?? null } });
  const [result, start] = useMutation(StartSessionDocument);
  const tariff = tariffs.data?.tariffs.find((x) => x.active);
  const packages = tariff?.packages.filter((p) => p.active) ?? [];

  // The price before the start: the server prices exactly what the start would take.
  const wanted = useMemo<QuoteStartInput | null>(() => {
    const base = { resourceId: tile.resource.id, clientId: client?.id ?? null, tariffId: tariff?.id ?? null };
    const m = Number(minutes);
    if (mode === "prepaid" && Number.isInteger(m) && m > 0) return { ...base, prepaidMinutes: m, packageId: null };
    if (mode === "package" && packageId) return { ...base, prepaidMinutes: null, packageId };
    return null;
  }, [tile.resource.id, client, tariff?.id, mode, minutes, packageId]);
  const settled = useDebounced(wanted);
  // Asked once the tariff is known, so the quote names the tariff the start will send.
  const quoting = wanted !== null && tariffs.data !== undefined && can("Query.quoteStart");
  const [quote, requote] = useQuery({ query: QuoteStartDocument, variables: { input: settled ?? { resourceId: tile.resource.id } }, pause: !quoting || settled === null, requestPolicy: "network-only" });
  // Prices change at window edges: ask again every half minute while the dialog is open.
  useEffect(() => {
    if (!quoting) return;
    const id = setInterval(() => requote({ requestPolicy: "network-only" }), 30_000);
    return () => clearInterval(id);
  }, [quoting, requote]);
  const current = quote.data && !quote.stale && settled === wanted && !quote.fetching ? quote.data.quoteStart : null;
  const shown = quoting ? (quote.data?.quoteStart ?? null) : null;
  const error = describeError(result.error ?? (quoting ? quote.error : undefined), lang);
  const waiting = quoting && current === null && !quote.error;

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    if (waiting) return;
    const res = await start({
      input: {
        idempotencyKey: key,
        resourceId: tile.resource.id,
        clientId: client?.id ?? null,
        guestName: client ? null : guestName.trim() || null,
        tariffId: tariff?.id ?? null,
        prepaidMinutes: mode === "prepaid" ? Number(minutes) : null,
        packageId: mode === "package" ? packageId || null : null,
        paymentMethod: mode === "open" ? null : method,
      },
    });
    if (!res.error) onClose();
  }

  return (
    <Dialog
      title={t("startTitle", { pc: tile.resource.name })}
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>{t("cancel")}</Button>
          <Button tone="primary" type="submit" form="start-session" disabled={result.fetching || waiting} data-testid="start-confirm">
            {t("startSession")}
            {current && mode !== "open" ? ` · ${formatMoney(current.quote.total, currency)}` : ""}
          </Button>
        </>
      }
    >
      <form id="start-session" onSubmit={submit} className="flex flex-col gap-3">
        <ClientPicker label={t("findClient")} value={client} onChange={setClient} />
        {!client && <Field label={t("guestName")} name="guestName" value={guestName} onChange={(e) => setGuestName(e.target.value)} apiField="guestName" error={error} />}
        <fieldset className="flex flex-wrap gap-3 text-sm">
          <legend className="mb-1 font-medium text-slate-700">{t("mode")}</legend>
          {(["prepaid", "package", "open"] as const).map((m) => (
            <label key={m} className="flex items-center gap-1">
              <input type="radio" name="mode" value={m} checked={mode === m} onChange={() => setMode(m)} disabled={m === "package" && packages.length === 0} />
              {t(m)}
            </label>
          ))}
        </fieldset>
        {mode === "prepaid" && (
          <div className="flex flex-wrap items-end gap-2">
            <Field label={t("minutes")} name="prepaidMinutes" type="number" min={1} max={1440} step={1} value={minutes} onChange={(e) => setMinutes(e.target.value)} apiField="prepaidMinutes" error={error} className="w-28" required />
            {[60, 120, 180, 300].map((m) => (
              <Button key={m} onClick={() => setMinutes(String(m))} aria-pressed={minutes === String(m)}>
                {m / 60} {t("hours")}
              </Button>
            ))}
          </div>
        )}
        {mode === "package" && (
          <Select label={t("package")} name="packageId" value={packageId} onChange={(e) => setPackageId(e.target.value)} apiField="packageId" error={error} required>
            <option value="" />
            {packages.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name} — {formatMoney(p.price, currency)}
                {p.windowStart && p.windowEnd ? ` (${p.windowStart.slice(0, 5)}–${p.windowEnd.slice(0, 5)})` : ""}
              </option>
            ))}
          </Select>
        )}
        {mode !== "open" && <MethodSelect value={method} onChange={setMethod} withClient={client !== null} />}
        {mode === "open" ? (
          tariffs.fetching && !tariff ? <Loading /> : tariff ? <TariffCard tariff={tariff} currency={currency} /> : null
        ) : shown ? (
          <div className={current ? "" : "opacity-50"} data-testid="start-quote" aria-busy={current ? undefined : true}>
            <QuoteView
              quote={shown.quote}
              title={t("toPayNow")}
              note={`${shown.packageName ? `${t("package")} «${shown.packageName}»` : `${t("tariff")} ${shown.tariffName}`} · ${formatTime(shown.startsAt, location.timezone, lang)}–${formatTime(shown.endsAt, location.timezone, lang)}`}
            />
          </div>
        ) : waiting ? (
          <Loading />
        ) : null}
        <ErrorBox error={error} />
      </form>
    </Dialog>
  );
}

function TariffCard({ tariff, currency }: { tariff: { name: string; pricePerHour: string; stepMinutes: number; windows: { name: string; startsAt: string; endsAt: string; pricePerHour: string }[] }; currency: string }) {
  const { t } = useI18n();
  return (
    <div className="rounded-md bg-slate-50 p-3 text-sm" data-testid="tariff">
      <div className="font-medium">
        {t("tariff")}: {tariff.name} — {formatMoney(tariff.pricePerHour, currency)} {t("perHour")}
      </div>
      {tariff.windows.length > 0 && (
        <ul className="mt-1 text-slate-600">
          {tariff.windows.map((w, i) => (
            <li key={i}>
              {w.name}: {w.startsAt.slice(0, 5)}–{w.endsAt.slice(0, 5)} · {formatMoney(w.pricePerHour, currency)} {t("perHour")}
            </li>
          ))}
        </ul>
      )}
      <p className="mt-1 text-xs text-slate-500">{t("priceByTariff")}</p>
    </div>
  );
}

export function ExtendDialog({ tile, onClose }: { tile: Tile; onClose: () => void }) {
  const { t, lang } = useI18n();
  const { location } = useApp();
  const [key] = useState(newIdempotencyKey);
  const [minutes, setMinutes] = useState("60");
  const [method, setMethod] = useState<PaymentMethod>("CASH");
  const [result, extend] = useMutation(ExtendSessionDocument);
  const session = tile.session;
  const error = describeError(result.error, lang);
  if (!session) return null;
  async function submit(e: React.FormEvent) {
    e.preventDefault();
    if (!session) return;
    const res = await extend({ input: { idempotencyKey: key, sessionId: session.id, minutes: Number(minutes), paymentMethod: method } });
    if (!res.error) onClose();
  }
  return (
    <Dialog
      title={t("extendTitle", { pc: tile.resource.name })}
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>{t("cancel")}</Button>
          <Button tone="primary" type="submit" form="extend-session" disabled={result.fetching}>
            {t("extend")}
          </Button>
        </>
      }
    >
      <form id="extend-session" onSubmit={submit} className="flex flex-col gap-3">
        <p className="text-sm text-slate-600">
          {t("until")} {formatTime(session.endsAt, location.timezone, lang)}
        </p>
        <div className="flex flex-wrap items-end gap-2">
          <Field label={t("minutes")} name="minutes" type="number" min={1} value={minutes} onChange={(e) => setMinutes(e.target.value)} apiField="minutes" error={error} className="w-28" required />
          {[30, 60, 120].map((m) => (
            <Button key={m} onClick={() => setMinutes(String(m))}>
              +{m}
            </Button>
          ))}
        </div>
        <MethodSelect value={method} onChange={setMethod} withClient={session.clientId != null} />
        <CurrentQuote sessionId={session.id} paid={session.paid} />
        <ErrorBox error={error} />
      </form>
    </Dialog>
  );
}

function CurrentQuote({ sessionId, paid }: { sessionId: string; paid?: string }) {
  const { t } = useI18n();
  const [quote] = useQuery({ query: QuoteSessionDocument, variables: { id: sessionId }, requestPolicy: "network-only" });
  if (quote.fetching && !quote.data) return <Loading />;
  if (!quote.data) return null;
  return <QuoteView quote={quote.data.quoteSession} title={t("quoteSoFar")} {...(paid !== undefined ? { paid } : {})} />;
}

export function MoveDialog({ tile, targets, onClose }: { tile: Tile; targets: Tile[]; onClose: () => void }) {
  const { t, lang } = useI18n();
  const [target, setTarget] = useState(targets[0]?.resource.id ?? "");
  const [result, move] = useMutation(MoveSessionDocument);
  const error = describeError(result.error, lang);
  async function submit(e: React.FormEvent) {
    e.preventDefault();
    if (!tile.session || !target) return;
    const res = await move({ sessionId: tile.session.id, resourceId: target });
    if (!res.error) onClose();
  }
  return (
    <Dialog
      title={t("moveTitle", { pc: tile.resource.name })}
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>{t("cancel")}</Button>
          <Button tone="primary" type="submit" form="move-session" disabled={result.fetching || !target}>
            {t("move")}
          </Button>
        </>
      }
    >
      <form id="move-session" onSubmit={submit} className="flex flex-col gap-3">
        <Select label={t("moveTo")} name="resourceId" value={target} onChange={(e) => setTarget(e.target.value)}>
          {targets.map((x) => (
            <option key={x.resource.id} value={x.resource.id}>
              {x.resource.name}
            </option>
          ))}
        </Select>
        <ErrorBox error={error} />
      </form>
    </Dialog>
  );
}

export function StopDialog({ tile, onClose }: { tile: Tile; onClose: () => void }) {
  const { t, lang } = useI18n();
  const { currency } = useApp();
  const [key] = useState(newIdempotencyKey);
  const [method, setMethod] = useState<PaymentMethod>("CASH");
  const [bill, setBill] = useState<{ quote: QuotePartsFragment; paid: string } | null>(null);
  const [result, stop] = useMutation(StopSessionDocument);
  const session = tile.session;
  const [quote] = useQuery({ query: QuoteSessionDocument, variables: { id: session?.id ?? "" }, pause: !session || bill !== null, requestPolicy: "network-only" });
  const error = describeError(result.error, lang);
  const open = session?.kind === "OPEN";

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    if (!session) return;
    const res = await stop({ input: { idempotencyKey: key, sessionId: session.id, paymentMethod: open ? method : null } });
    const stopped = res.data?.stopSession;
    if (stopped?.breakdown) setBill({ quote: stopped.breakdown, paid: stopped.paid });
    else if (!res.error) onClose();
  }

  if (bill) {
    return (
      <Dialog title={t("bill")} onClose={onClose} footer={<Button tone="primary" onClick={onClose}>{t("close")}</Button>}>
        <div data-testid="final-bill">
          <QuoteView quote={bill.quote} title={`${t("bill")} · ${tile.resource.name}`} paid={bill.paid} />
        </div>
      </Dialog>
    );
  }
  const q = quote.data?.quoteSession;
  return (
    <Dialog
      title={t("stopTitle", { pc: tile.resource.name })}
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>{t("cancel")}</Button>
          <Button tone="danger" type="submit" form="stop-session" disabled={result.fetching || !q}>
            {t("stop")}
          </Button>
        </>
      }
    >
      <form id="stop-session" onSubmit={submit} className="flex flex-col gap-3">
        {quote.fetching && !q ? <Loading /> : q ? <QuoteView quote={q} title={t("quoteSoFar")} paid={session?.paid ?? "0"} /> : null}
        {open && q && session && (
          <>
            <p className="text-sm">
              {t("due")}: <strong className="tabular-nums">{formatMoney(subtractMoney(q.total, session.paid), currency)}</strong>
            </p>
            <MethodSelect value={method} onChange={setMethod} withClient={session.clientId != null} />
          </>
        )}
        <ErrorBox error={error ?? describeError(quote.error, lang)} />
      </form>
    </Dialog>
  );
}

export function StatusDialog({ tile, onClose }: { tile: Tile; onClose: () => void }) {
  const { t, lang } = useI18n();
  const [note, setNote] = useState("");
  const [result, setStatus] = useMutation(SetResourceStatusDocument);
  const error = describeError(result.error, lang);
  const broken = tile.resource.status === "OUT_OF_ORDER";
  async function submit(e: React.FormEvent) {
    e.preventDefault();
    const res = await setStatus({ id: tile.resource.id, status: broken ? "FREE" : "OUT_OF_ORDER", note: note.trim() || null });
    if (!res.error) onClose();
  }
  return (
    <Dialog
      title={t("outOfOrderTitle", { pc: tile.resource.name })}
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>{t("cancel")}</Button>
          <Button tone={broken ? "primary" : "danger"} type="submit" form="pc-status" disabled={result.fetching}>
            {broken ? t("markFree") : t("markOutOfOrder")}
          </Button>
        </>
      }
    >
      <form id="pc-status" onSubmit={submit} className="flex flex-col gap-3">
        <Field label={t("statusReason")} name="note" value={note} onChange={(e) => setNote(e.target.value)} apiField="note" error={error} autoFocus />
        <ErrorBox error={error} />
      </form>
    </Dialog>
  );
}
