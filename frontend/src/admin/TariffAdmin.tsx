import { useState } from "react";
import { useMutation, useQuery } from "urql";
import { AddTariffPackageDocument, AdminTariffsDocument, AdminVenueDocument, CreateTariffDocument, SetTariffPackageActiveDocument, UpdateTariffDocument } from "@clubgrid/client";
import type { AdminTariffFragment, Rounding } from "@clubgrid/client";
import { useApp, useCan } from "../app/context";
import { describeError } from "../lib/errors";
import type { ShownError } from "../lib/errors";
import { enumLabel, useI18n } from "../lib/i18n";
import { formatMoney } from "../lib/money";
import { Button, Card, Checkbox, Dialog, Empty, ErrorBox, Field, Loading, Select, WeekdayPicker } from "../ui/ui";
import { packageForm, packageInput, tariffForm, tariffInput } from "./forms";
import type { PackageForm, TariffForm, WindowForm } from "./forms";
import { daysText, useWeekdayNames } from "./weekdays";

type Editing = { kind: "tariff"; tariff: AdminTariffFragment | null; zoneId: string } | { kind: "package"; tariff: AdminTariffFragment } | null;

/** Tariffs by zone: the hourly price, billing step and windows, and the packages sold under each. */
export function TariffAdmin() {
  const { t, lang } = useI18n();
  const { location, currency } = useApp();
  const can = useCan();
  const [list, refetch] = useQuery({ query: AdminTariffsDocument, variables: { locationId: location.id }, requestPolicy: "cache-and-network" });
  const [venue] = useQuery({ query: AdminVenueDocument, variables: { locationId: location.id } });
  const [toggled, toggle] = useMutation(SetTariffPackageActiveDocument);
  const [editing, setEditing] = useState<Editing>(null);
  const days = useWeekdayNames();
  const zones = [...(venue.data?.zones ?? [])].sort((a, b) => a.sortOrder - b.sortOrder);
  const tariffs = list.data?.tariffs ?? [];
  const again = () => refetch({ requestPolicy: "network-only" });
  const editable = can("Mutation.updateTariff");
  const done = () => {
    setEditing(null);
    again();
  };
  return (
    <Card title={t("tariffs")}>
      <ErrorBox error={describeError(list.error ?? toggled.error, lang)} />
      {!list.data || !venue.data ? (
        <Loading />
      ) : zones.length === 0 ? (
        <Empty />
      ) : (
        <div className="grid gap-3 xl:grid-cols-2" data-testid="tariffs-admin">
          {zones.map((zone) => {
            const own = tariffs.filter((x) => x.zoneId === zone.id);
            return (
              <section key={zone.id} className="rounded-md border border-slate-200">
                <header className="flex items-center gap-2 border-b border-slate-100 bg-slate-50 px-3 py-2">
                  <h3 className="font-semibold">{zone.name}</h3>
                  {can("Mutation.createTariff") && (
                    <Button className="ml-auto px-2 py-0.5 text-xs" onClick={() => setEditing({ kind: "tariff", tariff: null, zoneId: zone.id })}>
                      + {t("newTariff")}
                    </Button>
                  )}
                </header>
                {own.length === 0 ? (
                  <p className="px-3 py-2 text-sm text-slate-500">{t("noTariff")}</p>
                ) : (
                  own.map((tf) => (
                    <div key={tf.id} className={`border-b border-slate-100 px-3 py-2 text-sm last:border-b-0 ${tf.active ? "" : "text-slate-400"}`} data-tariff={tf.name}>
                      <div className="flex flex-wrap items-center gap-2">
                        <span className="font-medium">{tf.name}</span>
                        <span className="tabular-nums">
                          {formatMoney(tf.pricePerHour, currency)} {t("perHour")}
                        </span>
                        <span className="text-xs text-slate-500">
                          {t("step")} {tf.stepMinutes} {t("min")}, {enumLabel(t, tf.rounding)}
                        </span>
                        {!tf.active && <span className="rounded bg-slate-100 px-1.5 text-xs">{t("inactive")}</span>}
                        <span className="ml-auto flex gap-1">
                          {editable && (
                            <Button className="px-2 py-0.5 text-xs" onClick={() => setEditing({ kind: "tariff", tariff: tf, zoneId: zone.id })}>
                              {t("edit")}
                            </Button>
                          )}
                          {can("Mutation.addTariffPackage") && (
                            <Button className="px-2 py-0.5 text-xs" onClick={() => setEditing({ kind: "package", tariff: tf })}>
                              + {t("package")}
                            </Button>
                          )}
                        </span>
                      </div>
                      {tf.windows.length > 0 && (
                        <ul className="mt-1 text-slate-600">
                          {tf.windows.map((w, i) => (
                            <li key={i} className="tabular-nums">
                              {w.name}: {w.startsAt.slice(0, 5)}–{w.endsAt.slice(0, 5)}, {daysText(w.weekdays, days, t("everyDay"))} · {formatMoney(w.pricePerHour, currency)}
                            </li>
                          ))}
                        </ul>
                      )}
                      {tf.packages.length > 0 && (
                        <ul className="mt-1 flex flex-col gap-0.5">
                          {tf.packages.map((p) => (
                            <li key={p.id} className={`flex items-center gap-2 ${p.active ? "text-slate-700" : "text-slate-400 line-through"}`} data-package={p.name}>
                              <span>
                                {t("package")} «{p.name}» — {formatMoney(p.price, currency)}, {p.minutes ? `${p.minutes} ${t("min")}` : `${p.windowStart?.slice(0, 5)}–${p.windowEnd?.slice(0, 5)}`}
                              </span>
                              {can("Mutation.setTariffPackageActive") && (
                                <Button tone="ghost" className="ml-auto px-1.5 py-0 text-xs no-underline" onClick={() => void toggle({ id: p.id, active: !p.active }).then(again)}>
                                  {p.active ? t("offSale") : t("putOnSale")}
                                </Button>
                              )}
                            </li>
                          ))}
                        </ul>
                      )}
                    </div>
                  ))
                )}
              </section>
            );
          })}
        </div>
      )}
      {editing?.kind === "tariff" && <TariffDialog tariff={editing.tariff} zoneId={editing.zoneId} zoneName={zones.find((z) => z.id === editing.zoneId)?.name ?? ""} onClose={() => setEditing(null)} onDone={done} />}
      {editing?.kind === "package" && <PackageDialog tariff={editing.tariff} onClose={() => setEditing(null)} onDone={done} />}
    </Card>
  );
}

const ROUNDINGS: Rounding[] = ["UP", "NEAREST", "DOWN"];

function TariffDialog({ tariff, zoneId, zoneName, onClose, onDone }: { tariff: AdminTariffFragment | null; zoneId: string; zoneName: string; onClose: () => void; onDone: () => void }) {
  const { t, lang } = useI18n();
  const days = useWeekdayNames();
  const [form, setForm] = useState<TariffForm>(() => tariffForm(tariff ?? undefined));
  const [local, setLocal] = useState<ShownError | null>(null);
  const [created, create] = useMutation(CreateTariffDocument);
  const [updated, update] = useMutation(UpdateTariffDocument);
  const error = local ?? describeError(created.error ?? updated.error, lang);
  const setWindow = (i: number, change: Partial<WindowForm>) => setForm({ ...form, windows: form.windows.map((w, j) => (j === i ? { ...w, ...change } : w)) });

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    const checked = tariffInput(form, { badAmount: t("badAmount"), badNumber: t("badNumber") });
    if (!checked.ok) return setLocal(checked.error);
    setLocal(null);
    const res = tariff ? await update({ id: tariff.id, input: checked.value }) : await create({ zoneId, input: checked.value });
    if (!res.error) onDone();
  }
  return (
    <Dialog
      wide
      title={tariff ? t("editTariff", { name: tariff.name }) : `${t("newTariff")} · ${zoneName}`}
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>{t("cancel")}</Button>
          <Button tone="primary" type="submit" form="tariff-form" disabled={created.fetching || updated.fetching}>
            {t("save")}
          </Button>
        </>
      }
    >
      <form id="tariff-form" onSubmit={submit} className="flex flex-col gap-3" noValidate>
        <div className="grid grid-cols-2 gap-3 sm:grid-cols-4">
          <Field label={t("name")} name="name" value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} apiField="name" error={error} className="col-span-2" autoFocus />
          <Field label={t("pricePerHourLabel")} name="pricePerHour" inputMode="decimal" value={form.pricePerHour} onChange={(e) => setForm({ ...form, pricePerHour: e.target.value })} apiField="pricePerHour" error={error} />
          <Field label={t("stepMinutes")} name="stepMinutes" inputMode="numeric" value={form.stepMinutes} onChange={(e) => setForm({ ...form, stepMinutes: e.target.value })} apiField="stepMinutes" error={error} />
          <Select label={t("rounding")} name="rounding" value={form.rounding} onChange={(e) => setForm({ ...form, rounding: e.target.value as Rounding })} className="col-span-2">
            {ROUNDINGS.map((r) => (
              <option key={r} value={r}>
                {enumLabel(t, r)}
              </option>
            ))}
          </Select>
          <Checkbox label={t("active")} name="active" checked={form.active} onChange={(e) => setForm({ ...form, active: e.target.checked })} className="col-span-2 self-end pb-2" />
        </div>
        <fieldset className="flex min-w-0 flex-col gap-2 rounded-md border border-slate-200 p-3">
          <legend className="px-1 text-sm font-medium text-slate-700">{t("windows")}</legend>
          <p className="text-xs text-slate-500">{t("windowsHint")}</p>
          {form.windows.map((w, i) => (
            <div key={i} className="flex flex-col gap-2 rounded-md bg-slate-50 p-2" data-window={i}>
              <div className="grid grid-cols-2 gap-2 sm:grid-cols-[minmax(0,2fr)_minmax(0,1fr)_minmax(0,1fr)_minmax(0,1fr)_auto]">
                <Field label={t("name")} value={w.name} onChange={(e) => setWindow(i, { name: e.target.value })} apiField={`windows[${i}].name`} error={error} className="col-span-2 sm:col-span-1" />
                <Field label={t("timeFrom")} type="time" value={w.startsAt} onChange={(e) => setWindow(i, { startsAt: e.target.value })} apiField={`windows[${i}].startsAt`} error={error} />
                <Field label={t("timeTo")} type="time" value={w.endsAt} onChange={(e) => setWindow(i, { endsAt: e.target.value })} apiField={`windows[${i}].endsAt`} error={error} />
                <Field label={t("pricePerHourLabel")} inputMode="decimal" value={w.pricePerHour} onChange={(e) => setWindow(i, { pricePerHour: e.target.value })} apiField={`windows[${i}].pricePerHour`} error={error} />
                <Button tone="ghost" className="self-end text-rose-700" onClick={() => setForm({ ...form, windows: form.windows.filter((_, j) => j !== i) })} aria-label={`${t("remove")} ${w.name}`}>
                  {t("remove")}
                </Button>
              </div>
              <WeekdayPicker label={t("weekdays")} value={w.weekdays} onChange={(weekdays) => setWindow(i, { weekdays })} apiField={`windows[${i}].weekdays`} error={error} names={days} />
            </div>
          ))}
          <Button className="self-start" onClick={() => setForm({ ...form, windows: [...form.windows, { name: t("night"), weekdays: [], startsAt: "22:00", endsAt: "08:00", pricePerHour: "" }] })}>
            + {t("addWindow")}
          </Button>
        </fieldset>
        <ErrorBox error={error} />
      </form>
    </Dialog>
  );
}

function PackageDialog({ tariff, onClose, onDone }: { tariff: AdminTariffFragment; onClose: () => void; onDone: () => void }) {
  const { t, lang } = useI18n();
  const [form, setForm] = useState<PackageForm>(packageForm);
  const [local, setLocal] = useState<ShownError | null>(null);
  const [added, add] = useMutation(AddTariffPackageDocument);
  const error = local ?? describeError(added.error, lang);
  async function submit(e: React.FormEvent) {
    e.preventDefault();
    const checked = packageInput(tariff.id, form, { badAmount: t("badAmount"), badNumber: t("badNumber") });
    if (!checked.ok) return setLocal(checked.error);
    setLocal(null);
    const res = await add({ input: checked.value });
    if (!res.error) onDone();
  }
  return (
    <Dialog
      title={t("newPackageFor", { name: tariff.name })}
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>{t("cancel")}</Button>
          <Button tone="primary" type="submit" form="package-form" disabled={added.fetching}>
            {t("save")}
          </Button>
        </>
      }
    >
      <form id="package-form" onSubmit={submit} className="grid grid-cols-2 gap-3" noValidate>
        <Field label={t("name")} name="name" value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} apiField="name" error={error} autoFocus />
        <Field label={t("price")} name="price" inputMode="decimal" value={form.price} onChange={(e) => setForm({ ...form, price: e.target.value })} apiField="price" error={error} />
        <fieldset className="col-span-2 flex flex-wrap gap-4 text-sm">
          <legend className="mb-1 font-medium text-slate-700">{t("packageKind")}</legend>
          {(["duration", "window"] as const).map((k) => (
            <label key={k} className="flex items-center gap-1">
              <input type="radio" name="packageKind" checked={form.kind === k} onChange={() => setForm({ ...form, kind: k })} />
              {k === "duration" ? t("byDuration") : t("byWindow")}
            </label>
          ))}
        </fieldset>
        {form.kind === "duration" ? (
          <Field label={t("packageMinutes")} name="minutes" inputMode="numeric" value={form.minutes} onChange={(e) => setForm({ ...form, minutes: e.target.value })} apiField="minutes" error={error} />
        ) : (
          <>
            <Field label={t("timeFrom")} type="time" value={form.windowStart} onChange={(e) => setForm({ ...form, windowStart: e.target.value })} apiField="windowStart" error={error} />
            <Field label={t("timeTo")} type="time" value={form.windowEnd} onChange={(e) => setForm({ ...form, windowEnd: e.target.value })} apiField="windowEnd" error={error} />
          </>
        )}
        <div className="col-span-2">
          <ErrorBox error={error} />
        </div>
      </form>
    </Dialog>
  );
}
