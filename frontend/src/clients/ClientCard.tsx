import { useState } from "react";
import { useMutation, useQuery } from "urql";
import { ClientCardDocument, CorrectWalletDocument, DepositToWalletDocument, MergeClientsDocument, UpdateClientDocument, WithdrawFromWalletDocument } from "@clubgrid/client";
import type { ClientCardQuery, ClientRowFragment, PaymentMethod } from "@clubgrid/client";
import { useApp, useCan } from "../app/context";
import { Link } from "../app/router";
import { describeError } from "../lib/errors";
import type { ShownError } from "../lib/errors";
import { enumLabel, useI18n } from "../lib/i18n";
import type { Key } from "../lib/i18n";
import { formatMoney, parseMoney } from "../lib/money";
import { formatDate, formatDateTime } from "../lib/time";
import { Button, Card, Dialog, Empty, ErrorBox, Field, Loading, Select, Stat, TextArea, newIdempotencyKey } from "../ui/ui";
import { parseTags } from "../admin/forms";
import { ClientPicker } from "./ClientPicker";

type MoneyKind = "deposit" | "withdraw" | "correction";

export function ClientCard({ id }: { id: string }) {
  const { t, lang } = useI18n();
  const { currency, location } = useApp();
  const can = useCan();
  const [card, refetch] = useQuery({ query: ClientCardDocument, variables: { id }, requestPolicy: "cache-and-network" });
  const [dialog, setDialog] = useState<MoneyKind | "merge" | "edit" | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  if (card.fetching && !card.data) return <Loading />;
  if (!card.data) return <ErrorBox error={describeError(card.error, lang)} />;
  const c = card.data.client;
  const tz = location.timezone;
  const done = (message: string) => {
    setDialog(null);
    setNotice(message);
    refetch({ requestPolicy: "network-only" });
  };
  const moneyActions: { kind: MoneyKind; field: string; label: Key }[] = [
    { kind: "deposit", field: "Mutation.depositToWallet", label: "deposit" },
    { kind: "withdraw", field: "Mutation.withdrawFromWallet", label: "withdraw" },
    { kind: "correction", field: "Mutation.correctWallet", label: "correction" },
  ];
  return (
    <div className="flex flex-col gap-3">
      <div className="flex flex-wrap items-center gap-2">
        <Link href="/clients" className="text-sm text-sky-700 hover:underline">
          ← {t("back")}
        </Link>
        <h1 className="text-xl font-semibold">{c.displayName}</h1>
        {c.stage && (
          <span className="rounded px-2 py-0.5 text-xs text-white" style={{ background: c.stage.color ?? "#64748b" }}>
            {c.stage.name}
          </span>
        )}
        <div className="ml-auto flex flex-wrap gap-2" data-testid="money-actions">
          {moneyActions
            .filter((a) => can(a.field))
            .map((a) => (
              <Button key={a.kind} tone={a.kind === "deposit" ? "primary" : "secondary"} onClick={() => setDialog(a.kind)}>
                {t(a.label)}
              </Button>
            ))}
          {can("Mutation.mergeClients") && <Button onClick={() => setDialog("merge")}>{t("merge")}</Button>}
        </div>
      </div>
      {notice && (
        <p role="status" className="rounded-md bg-emerald-50 px-3 py-2 text-sm text-emerald-800">
          {notice}
        </p>
      )}
      <div className="grid gap-3 md:grid-cols-2 lg:grid-cols-3">
        <Card title={t("wallet")}>
          <div className="grid grid-cols-2 gap-2">
            <Stat label={t("balance")} value={<span data-testid="balance">{formatMoney(c.balance, currency)}</span>} />
            <Stat label={t("debt")} value={formatMoney(c.debt, currency)} tone={/[1-9]/.test(c.debt) ? "bad" : "default"} />
            <Stat label={t("creditLimit")} value={formatMoney(c.creditLimit, currency)} />
            <Stat label={t("personalDiscount")} value={`${c.discountPercent} %`} />
          </div>
        </Card>
        <Card
          title={t("contacts")}
          className="lg:col-span-2"
          actions={
            can("Mutation.updateClient") && (
              <Button className="px-2 py-0.5 text-xs" onClick={() => setDialog("edit")}>
                {t("edit")}
              </Button>
            )
          }
        >
          <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
            <dt className="text-slate-500">{t("phone")}</dt>
            <dd className="tabular-nums">{[c.phone, c.phone2].filter(Boolean).join(", ") || "—"}</dd>
            <dt className="text-slate-500">E-mail</dt>
            <dd>{c.email ?? "—"}</dd>
            <dt className="text-slate-500">Telegram</dt>
            <dd>{c.telegramUsername ? `@${c.telegramUsername}` : (c.telegramId ?? "—")}</dd>
            {c.birthDate && (
              <>
                <dt className="text-slate-500">{t("birthDate")}</dt>
                <dd className="tabular-nums">{formatDate(c.birthDate, lang)}</dd>
              </>
            )}
            <dt className="text-slate-500">{t("tags")}</dt>
            <dd data-testid="client-tags">
              {c.tags.length === 0
                ? "—"
                : c.tags.map((tag) => (
                    <span key={tag} className="mr-1 inline-block rounded bg-slate-100 px-1.5 py-0.5 text-xs text-slate-700">
                      {tag}
                    </span>
                  ))}
            </dd>
            <dt className="text-slate-500">{t("notes")}</dt>
            <dd className="whitespace-pre-wrap" data-testid="client-notes">
              {c.notes ?? "—"}
            </dd>
          </dl>
        </Card>
      </div>
      <div className="grid gap-3 md:grid-cols-2 lg:grid-cols-3">
        <Card title={t("ledger")}>
          {card.data.walletEntries.items.length === 0 ? (
            <Empty />
          ) : (
            <table className="w-full text-sm" data-testid="ledger">
              <tbody>
                {card.data.walletEntries.items.map((e) => (
                  <tr key={e.id} className="border-b border-slate-100">
                    <td className="py-1 text-slate-600 tabular-nums">{formatDateTime(e.createdAt, tz, lang)}</td>
                    <td className="py-1">
                      {enumLabel(t, e.kind)}
                      {e.method ? ` · ${enumLabel(t, e.method)}` : ""}
                      {e.reason ? <span className="block text-xs text-slate-500">{e.reason}</span> : null}
                    </td>
                    <td className={`py-1 text-right tabular-nums ${e.amount.startsWith("-") ? "text-rose-700" : "text-emerald-700"}`}>{formatMoney(e.amount, currency)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Card>
        <Card title={t("sessions")}>
          {card.data.playSessions.items.length === 0 ? (
            <Empty />
          ) : (
            <table className="w-full text-sm">
              <tbody>
                {card.data.playSessions.items.map((s) => (
                  <tr key={s.id} className="border-b border-slate-100">
                    <td className="py-1 tabular-nums">{formatDateTime(s.startedAt, tz, lang)}</td>
                    <td className="py-1 text-right tabular-nums">{formatMoney(s.cost ?? s.paid, currency)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Card>
        <Card title={t("interactions")}>
          {c.recentInteractions.length === 0 ? (
            <Empty />
          ) : (
            <ul className="flex flex-col gap-2 text-sm">
              {c.recentInteractions.map((i) => (
                <li key={i.id}>
                  <span className="text-xs text-slate-500">
                    {formatDateTime(i.at, tz, lang)} · {i.kind.toLowerCase()}
                  </span>
                  <p>{i.text}</p>
                </li>
              ))}
            </ul>
          )}
        </Card>
      </div>
      {dialog === "edit" ? (
        <EditClientDialog client={c} onClose={() => setDialog(null)} onDone={() => done(t("saved"))} />
      ) : dialog === "merge" ? (
        <MergeDialog keepId={c.id} onClose={() => setDialog(null)} onDone={(name) => done(`${t("merge")}: ${name}`)} />
      ) : dialog ? (
        <MoneyDialog kind={dialog} clientId={c.id} hasClient onClose={() => setDialog(null)} onDone={(balance) => done(`${t("newBalance")}: ${formatMoney(balance, currency)}`)} />
      ) : null}
    </div>
  );
}

const TITLES: Record<MoneyKind, Key> = { deposit: "depositTitle", withdraw: "withdrawTitle", correction: "correctionTitle" };

/** Deposit, withdraw or correct, with one idempotency key for the dialog's life. */
function MoneyDialog({ kind, clientId, onClose, onDone }: { kind: MoneyKind; clientId: string; hasClient: boolean; onClose: () => void; onDone: (balance: string | null) => void }) {
  const { t, lang } = useI18n();
  const [key] = useState(newIdempotencyKey);
  const [amount, setAmount] = useState("");
  const [method, setMethod] = useState<PaymentMethod>("CASH");
  const [reason, setReason] = useState("");
  const [local, setLocal] = useState<ShownError | null>(null);
  const [dep, deposit] = useMutation(DepositToWalletDocument);
  const [wd, withdraw] = useMutation(WithdrawFromWalletDocument);
  const [cor, correct] = useMutation(CorrectWalletDocument);
  const busy = dep.fetching || wd.fetching || cor.fetching;
  const error = local ?? describeError(dep.error ?? wd.error ?? cor.error, lang);

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    const value = parseMoney(amount, { allowNegative: kind === "correction" });
    if (value === null) return setLocal({ code: "VALIDATION", message: t("badAmount"), field: "input.amount" });
    setLocal(null);
    const base = { clientId, idempotencyKey: key, amount: value };
    if (kind === "deposit") {
      const res = await deposit({ input: { ...base, method } });
      if (res.data) onDone(res.data.depositToWallet.balance ?? null);
    } else if (kind === "withdraw") {
      const res = await withdraw({ input: { ...base, method, reason: reason.trim() || null } });
      if (res.data) onDone(res.data.withdrawFromWallet.balance ?? null);
    } else {
      const res = await correct({ input: { ...base, reason: reason.trim() } });
      if (res.data) onDone(res.data.correctWallet.balance ?? null);
    }
  }
  return (
    <Dialog
      title={t(TITLES[kind])}
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>{t("cancel")}</Button>
          <Button tone="primary" type="submit" form="money-op" disabled={busy}>
            {t("confirm")}
          </Button>
        </>
      }
    >
      <form id="money-op" onSubmit={submit} className="flex flex-col gap-3">
        <Field label={t("amount")} name="amount" inputMode="decimal" autoFocus value={amount} onChange={(e) => setAmount(e.target.value)} apiField="amount" error={error} required />
        {kind !== "correction" && (
          <Select label={t("paymentMethod")} name="method" value={method} onChange={(e) => setMethod(e.target.value as PaymentMethod)}>
            {(["CASH", "CARD", "KASPI", "TRANSFER"] as const).map((m) => (
              <option key={m} value={m}>
                {enumLabel(t, m)}
              </option>
            ))}
          </Select>
        )}
        {kind !== "deposit" && <Field label={t("reason")} name="reason" value={reason} onChange={(e) => setReason(e.target.value)} apiField="reason" error={error} required={kind === "correction"} />}
        <ErrorBox error={error} />
      </form>
    </Dialog>
  );
}

function MergeDialog({ keepId, onClose, onDone }: { keepId: string; onClose: () => void; onDone: (name: string) => void }) {
  const { t, lang } = useI18n();
  const [duplicate, setDuplicate] = useState<ClientRowFragment | null>(null);
  const [result, merge] = useMutation(MergeClientsDocument);
  async function submit() {
    if (!duplicate) return;
    const res = await merge({ keepId, duplicateId: duplicate.id });
    if (res.data) onDone(duplicate.displayName);
  }
  return (
    <Dialog
      title={t("mergeTitle")}
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>{t("cancel")}</Button>
          <Button tone="danger" onClick={() => void submit()} disabled={!duplicate || result.fetching}>
            {t("merge")}
          </Button>
        </>
      }
    >
      <ClientPicker label={t("duplicate")} value={duplicate} onChange={setDuplicate} excludeId={keepId} />
      <ErrorBox error={describeError(result.error, lang)} />
    </Dialog>
  );
}

type CardClient = ClientCardQuery["client"];

/** Contacts, tags and notes of a client; a cleared field is cleared on the record. */
function EditClientDialog({ client, onClose, onDone }: { client: CardClient; onClose: () => void; onDone: () => void }) {
  const { t, lang } = useI18n();
  const [form, setForm] = useState({
    lastName: client.lastName,
    firstName: client.firstName,
    patronymic: client.patronymic ?? "",
    phone: client.phone ?? "",
    phone2: client.phone2 ?? "",
    email: client.email ?? "",
    telegramUsername: client.telegramUsername ?? "",
    telegramId: client.telegramId ?? "",
    birthDate: client.birthDate ?? "",
    tags: client.tags.join(", "),
    notes: client.notes ?? "",
  });
  const [result, update] = useMutation(UpdateClientDocument);
  const error = describeError(result.error, lang);
  const or = (value: string) => (value.trim() === "" ? null : value.trim());
  async function submit(e: React.FormEvent) {
    e.preventDefault();
    const res = await update({
      id: client.id,
      input: {
        lastName: form.lastName.trim(),
        firstName: form.firstName.trim(),
        patronymic: or(form.patronymic),
        phone: or(form.phone),
        phone2: or(form.phone2),
        email: or(form.email),
        telegramUsername: or(form.telegramUsername.replace(/^@/, "")),
        telegramId: or(form.telegramId),
        birthDate: or(form.birthDate),
        tags: parseTags(form.tags),
        notes: or(form.notes),
      },
    });
    if (!res.error) onDone();
  }
  const field = (name: keyof typeof form, label: string, extra: Partial<React.ComponentProps<typeof Field>> = {}) => (
    <Field label={label} name={name} value={form[name]} onChange={(e) => setForm({ ...form, [name]: e.target.value })} apiField={name} error={error} {...extra} />
  );
  return (
    <Dialog
      wide
      title={t("editClientTitle", { name: client.displayName })}
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>{t("cancel")}</Button>
          <Button tone="primary" type="submit" form="client-form" disabled={result.fetching}>
            {t("save")}
          </Button>
        </>
      }
    >
      <form id="client-form" onSubmit={submit} className="grid grid-cols-1 gap-3 sm:grid-cols-3" noValidate>
        {field("lastName", t("lastName"), { autoFocus: true })}
        {field("firstName", t("firstName"))}
        {field("patronymic", t("patronymic"))}
        {field("phone", t("phone"), { type: "tel", inputMode: "tel" })}
        {field("phone2", t("phone2"), { type: "tel", inputMode: "tel" })}
        {field("email", "E-mail", { type: "email" })}
        {field("telegramUsername", t("telegramUsername"))}
        {field("telegramId", t("telegramId"), { inputMode: "numeric" })}
        {field("birthDate", t("birthDate"), { type: "date" })}
        {field("tags", t("tags"), { placeholder: "vip, ночь", hint: t("tagsHint"), className: "sm:col-span-3" })}
        <TextArea label={t("notes")} name="notes" value={form.notes} onChange={(e) => setForm({ ...form, notes: e.target.value })} apiField="notes" error={error} className="sm:col-span-3" rows={4} />
        <div className="sm:col-span-3">
          <ErrorBox error={error} />
        </div>
      </form>
    </Dialog>
  );
}
