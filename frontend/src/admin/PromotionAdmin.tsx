import { useState } from "react";
import { useMutation, useQuery } from "urql";
import { AdminPromotionsDocument, AdminVenueDocument, CreatePromotionDocument, UpdatePromotionDocument } from "@clubgrid/client";
import type { AdminPromotionFragment, PromotionKind } from "@clubgrid/client";
import { useApp, useCan } from "../app/context";
import { describeError } from "../lib/errors";
import type { ShownError } from "../lib/errors";
import { useI18n } from "../lib/i18n";
import type { Key } from "../lib/i18n";
import { formatMoney } from "../lib/money";
import { formatDate } from "../lib/time";
import { Button, Card, Checkbox, Dialog, Empty, ErrorBox, Field, Loading, Select, WeekdayPicker } from "../ui/ui";
import { promotionForm, promotionInput } from "./forms";
import type { PromotionForm } from "./forms";
import { daysText, useWeekdayNames } from "./weekdays";

const KINDS: PromotionKind[] = ["PERCENT", "BONUS_TIME", "FIXED_PRICE"];

/** The location's promotions: what each gives, when, in which zones; edit or switch off. */
export function PromotionAdmin() {
  const { t, lang } = useI18n();
  const { location, currency } = useApp();
  const can = useCan();
  const [list, refetch] = useQuery({ query: AdminPromotionsDocument, variables: { locationId: location.id }, requestPolicy: "cache-and-network" });
  const [venue] = useQuery({ query: AdminVenueDocument, variables: { locationId: location.id } });
  const [editing, setEditing] = useState<{ promotion: AdminPromotionFragment | null } | null>(null);
  const days = useWeekdayNames();
  const zones = venue.data?.zones ?? [];
  const zoneNames = (ids: readonly string[]) => (ids.length === 0 ? t("allZones") : ids.map((id) => zones.find((z) => z.id === id)?.name ?? `#${id}`).join(", "));
  const terms = (p: AdminPromotionFragment) =>
    p.kind === "PERCENT" ? `−${p.percent ?? 0} %` : p.kind === "BONUS_TIME" ? t("bonusTerms", { pay: p.payMinutes ?? 0, free: p.freeMinutes ?? 0 }) : `${formatMoney(p.pricePerHour ?? null, currency)} ${t("perHour")}`;
  const promotions = list.data?.promotions ?? [];
  return (
    <Card
      title={t("promotions")}
      actions={
        can("Mutation.createPromotion") && (
          <Button tone="primary" onClick={() => setEditing({ promotion: null })}>
            {t("newPromotion")}
          </Button>
        )
      }
    >
      <ErrorBox error={describeError(list.error, lang)} />
      {!list.data ? (
        <Loading />
      ) : promotions.length === 0 ? (
        <Empty />
      ) : (
        <div className="overflow-x-auto">
          <table className="w-full text-sm" data-testid="promotions-admin">
            <thead>
              <tr className="border-b border-slate-200 text-left text-slate-500">
                <th className="py-1 pr-2">{t("name")}</th>
                <th className="py-1 pr-2">{t("terms")}</th>
                <th className="py-1 pr-2">{t("when")}</th>
                <th className="py-1 pr-2">{t("zone")}</th>
                <th className="py-1 pr-2">{t("status")}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {promotions.map((p) => (
                <tr key={p.id} className={`border-b border-slate-100 ${p.active ? "" : "text-slate-400"}`} data-promotion={p.name}>
                  <td className="py-1.5 pr-2 font-medium">{p.name}</td>
                  <td className="py-1.5 pr-2 tabular-nums">{terms(p)}</td>
                  <td className="py-1.5 pr-2">
                    {daysText(p.weekdays, days, t("everyDay"))}
                    {p.startsAt && p.endsAt ? `, ${p.startsAt.slice(0, 5)}–${p.endsAt.slice(0, 5)}` : ""}
                    {p.validFrom || p.validTo ? <span className="block text-xs text-slate-500">{`${p.validFrom ? formatDate(p.validFrom, lang) : "…"} – ${p.validTo ? formatDate(p.validTo, lang) : "…"}`}</span> : null}
                  </td>
                  <td className="py-1.5 pr-2">{zoneNames(p.zoneIds)}</td>
                  <td className="py-1.5 pr-2">{p.active ? t("active") : t("inactive")}</td>
                  <td className="py-1.5 text-right">
                    {can("Mutation.updatePromotion") && (
                      <Button className="px-2 py-0.5 text-xs" onClick={() => setEditing({ promotion: p })}>
                        {t("edit")}
                      </Button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {editing && (
        <PromotionDialog
          promotion={editing.promotion}
          zones={zones}
          onClose={() => setEditing(null)}
          onDone={() => {
            setEditing(null);
            refetch({ requestPolicy: "network-only" });
          }}
        />
      )}
    </Card>
  );
}

const KIND_LABEL: Record<PromotionKind, Key> = { PERCENT: "PERCENT", BONUS_TIME: "BONUS_TIME", FIXED_PRICE: "FIXED_PRICE" };

function PromotionDialog({ promotion, zones, onClose, onDone }: { promotion: AdminPromotionFragment | null; zones: { id: string; name: string }[]; onClose: () => void; onDone: () => void }) {
  const { t, lang } = useI18n();
  const { location } = useApp();
  const days = useWeekdayNames();
  const [form, setForm] = useState<PromotionForm>(() => promotionForm(promotion ?? undefined));
  const [local, setLocal] = useState<ShownError | null>(null);
  const [created, create] = useMutation(CreatePromotionDocument);
  const [updated, update] = useMutation(UpdatePromotionDocument);
  const error = local ?? describeError(created.error ?? updated.error, lang);
  async function submit(e: React.FormEvent) {
    e.preventDefault();
    const checked = promotionInput(form, { badAmount: t("badAmount"), badNumber: t("badNumber") });
    if (!checked.ok) return setLocal(checked.error);
    setLocal(null);
    const res = promotion ? await update({ id: promotion.id, input: checked.value }) : await create({ locationId: location.id, input: checked.value });
    if (!res.error) onDone();
  }
  const toggleZone = (id: string) => setForm({ ...form, zoneIds: form.zoneIds.includes(id) ? form.zoneIds.filter((z) => z !== id) : [...form.zoneIds, id] });
  return (
    <Dialog
      wide
      title={promotion ? t("editPromotion", { name: promotion.name }) : t("newPromotion")}
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>{t("cancel")}</Button>
          <Button tone="primary" type="submit" form="promotion-form" disabled={created.fetching || updated.fetching}>
            {t("save")}
          </Button>
        </>
      }
    >
      <form id="promotion-form" onSubmit={submit} className="grid grid-cols-2 gap-3 sm:grid-cols-4" noValidate>
        <Field label={t("name")} name="name" value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} apiField="name" error={error} className="col-span-2" autoFocus />
        <Select label={t("kind")} name="kind" value={form.kind} onChange={(e) => setForm({ ...form, kind: e.target.value as PromotionKind })} className="col-span-2">
          {KINDS.map((k) => (
            <option key={k} value={k}>
              {t(KIND_LABEL[k])}
            </option>
          ))}
        </Select>
        {form.kind === "PERCENT" && <Field label={t("percent")} name="percent" inputMode="numeric" value={form.percent} onChange={(e) => setForm({ ...form, percent: e.target.value })} apiField="percent" error={error} />}
        {form.kind === "BONUS_TIME" && (
          <>
            <Field label={t("payMinutes")} name="payMinutes" inputMode="numeric" value={form.payMinutes} onChange={(e) => setForm({ ...form, payMinutes: e.target.value })} apiField="payMinutes" error={error} />
            <Field label={t("freeMinutes")} name="freeMinutes" inputMode="numeric" value={form.freeMinutes} onChange={(e) => setForm({ ...form, freeMinutes: e.target.value })} apiField="freeMinutes" error={error} />
          </>
        )}
        {form.kind === "FIXED_PRICE" && <Field label={t("pricePerHourLabel")} name="pricePerHour" inputMode="decimal" value={form.pricePerHour} onChange={(e) => setForm({ ...form, pricePerHour: e.target.value })} apiField="pricePerHour" error={error} />}
        <div className="col-span-2 sm:col-span-4">
          <WeekdayPicker label={t("weekdays")} value={form.weekdays} onChange={(weekdays) => setForm({ ...form, weekdays })} apiField="weekdays" error={error} names={days} />
        </div>
        <Field label={t("startHours")} type="time" name="startsAt" value={form.startsAt} onChange={(e) => setForm({ ...form, startsAt: e.target.value })} apiField="startsAt" error={error} hint={t("bothOrNeither")} />
        <Field label={t("timeTo")} type="time" name="endsAt" value={form.endsAt} onChange={(e) => setForm({ ...form, endsAt: e.target.value })} apiField="endsAt" error={error} />
        <Field label={t("validFrom")} type="date" name="validFrom" value={form.validFrom} onChange={(e) => setForm({ ...form, validFrom: e.target.value })} apiField="validFrom" error={error} />
        <Field label={t("validTo")} type="date" name="validTo" value={form.validTo} onChange={(e) => setForm({ ...form, validTo: e.target.value })} apiField="validTo" error={error} />
        <fieldset className="col-span-2 flex flex-col gap-1 text-sm sm:col-span-4">
          <legend className="mb-1 font-medium text-slate-700">{t("zonesOfPromotion")}</legend>
          <div className="flex flex-wrap gap-3">
            {zones.map((z) => (
              <Checkbox key={z.id} label={z.name} checked={form.zoneIds.includes(z.id)} onChange={() => toggleZone(z.id)} />
            ))}
          </div>
        </fieldset>
        <Checkbox label={t("active")} name="active" checked={form.active} onChange={(e) => setForm({ ...form, active: e.target.checked })} className="col-span-2" />
        <div className="col-span-2 sm:col-span-4">
          <ErrorBox error={error} />
        </div>
      </form>
    </Dialog>
  );
}
