import { useMemo, useState } from "react";
import { useMutation, useQuery } from "urql";
import { CancelPcBookingDocument, CreatePcBookingDocument, PcBookingsDocument, PcMapDocument, UsePcBookingDocument } from "@clubgrid/client";
import type { ClientRowFragment } from "@clubgrid/client";
import { useApp, useCan } from "../app/context";
import { ClientPicker } from "../clients/ClientPicker";
import { describeError } from "../lib/errors";
import { enumLabel, useI18n } from "../lib/i18n";
import { formatDateTime, localDate, localDayRange, zonedToUtc } from "../lib/time";
import { Button, Card, Dialog, Empty, ErrorBox, Field, Loading, Select } from "../ui/ui";

/** PC bookings of the location's local day: create, cancel, seat; no-shows shown. */
export default function BookingsPage() {
  const { t, lang } = useI18n();
  const { location } = useApp();
  const can = useCan();
  const [day, setDay] = useState(() => localDate(location.timezone));
  const range = useMemo(() => localDayRange(location.timezone, day), [location.timezone, day]);
  const [list, refetch] = useQuery({ query: PcBookingsDocument, variables: { filter: { locationId: location.id, ...range }, page: { limit: 100 } }, requestPolicy: "cache-and-network" });
  const [map] = useQuery({ query: PcMapDocument, variables: { locationId: location.id } });
  const [creating, setCreating] = useState(false);
  const [cancelled, cancel] = useMutation(CancelPcBookingDocument);
  const [used, use] = useMutation(UsePcBookingDocument);
  const zones = map.data?.pcMap.zones ?? [];
  const zoneName = (id: string) => zones.find((z) => z.zoneId === id)?.name ?? `#${id}`;
  const pcName = (id: string) => zones.flatMap((z) => z.pcs).find((p) => p.resource.id === id)?.resource.name ?? `#${id}`;
  const again = () => refetch({ requestPolicy: "network-only" });
  const items = list.data?.pcBookings.items ?? [];
  return (
    <div className="flex flex-col gap-3">
      <div className="flex flex-wrap items-end gap-2">
        <h1 className="text-xl font-semibold">{t("bookingsTitle")}</h1>
        <Field label={t("date")} type="date" value={day} onChange={(e) => setDay(e.target.value)} className="ml-4" />
        {can("Mutation.createPcBooking") && (
          <Button tone="primary" className="ml-auto" onClick={() => setCreating(true)}>
            {t("newBooking")}
          </Button>
        )}
      </div>
      <ErrorBox error={describeError(list.error ?? cancelled.error ?? used.error, lang)} />
      <Card>
        {list.fetching && !list.data ? (
          <Loading />
        ) : items.length === 0 ? (
          <Empty>{t("noBookings")}</Empty>
        ) : (
          <table className="w-full text-sm">
            <thead>
              <tr className="border-b border-slate-200 text-left text-slate-500">
                <th className="py-1">{t("startsAt")}</th>
                <th className="py-1">{t("zone")}</th>
                <th className="py-1">{t("pcs")}</th>
                <th className="py-1">{t("client")}</th>
                <th className="py-1">{t("status")}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {items.map((b) => (
                <tr key={b.id} className={`border-b border-slate-100 ${b.status === "NO_SHOW" ? "bg-rose-50" : ""}`}>
                  <td className="py-1.5 tabular-nums">{formatDateTime(b.startsAt, location.timezone, lang)}</td>
                  <td className="py-1.5">{zoneName(b.zoneId)}</td>
                  <td className="py-1.5">{b.resourceIds.map(pcName).join(", ")}</td>
                  <td className="py-1.5">#{b.clientId}</td>
                  <td className="py-1.5">{enumLabel(t, b.status)}</td>
                  <td className="py-1.5 text-right">
                    {b.status === "ACTIVE" && (
                      <span className="inline-flex gap-1">
                        {can("Mutation.usePcBooking") && (
                          <Button className="px-2 py-0.5 text-xs" onClick={() => void use({ id: b.id }).then(again)}>
                            {t("use")}
                          </Button>
                        )}
                        {can("Mutation.cancelPcBooking") && (
                          <Button tone="danger" className="px-2 py-0.5 text-xs" onClick={() => void cancel({ id: b.id, reason: null }).then(again)}>
                            {t("cancel")}
                          </Button>
                        )}
                      </span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
      {creating && <CreateBooking zones={zones.map((z) => ({ id: z.zoneId ?? "", name: z.name }))} onClose={() => setCreating(false)} onDone={() => { setCreating(false); again(); }} />}
    </div>
  );
}

function CreateBooking({ zones, onClose, onDone }: { zones: { id: string; name: string }[]; onClose: () => void; onDone: () => void }) {
  const { t, lang } = useI18n();
  const { location } = useApp();
  const [client, setClient] = useState<ClientRowFragment | null>(null);
  const [zoneId, setZoneId] = useState(zones[0]?.id ?? "");
  const [date, setDate] = useState(() => localDate(location.timezone));
  const [time, setTime] = useState("18:00");
  const [minutes, setMinutes] = useState("120");
  const [pcCount, setPcCount] = useState("1");
  const [result, create] = useMutation(CreatePcBookingDocument);
  const error = describeError(result.error, lang);
  async function submit(e: React.FormEvent) {
    e.preventDefault();
    if (!client) return;
    const startsAt = zonedToUtc(date, time, location.timezone).toISOString();
    const res = await create({ input: { clientId: client.id, zoneId, startsAt, minutes: Number(minutes), pcCount: Number(pcCount), resourceIds: [] } });
    if (res.data) onDone();
  }
  return (
    <Dialog
      title={t("newBooking")}
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>{t("cancel")}</Button>
          <Button tone="primary" type="submit" form="new-booking" disabled={!client || result.fetching}>
            {t("save")}
          </Button>
        </>
      }
    >
      <form id="new-booking" onSubmit={submit} className="grid grid-cols-2 gap-3">
        <div className="col-span-2">
          <ClientPicker label={t("findClient")} value={client} onChange={setClient} />
        </div>
        <Select label={t("zone")} value={zoneId} onChange={(e) => setZoneId(e.target.value)}>
          {zones.map((z) => (
            <option key={z.id} value={z.id}>
              {z.name}
            </option>
          ))}
        </Select>
        <Field label={t("pcCount")} type="number" min={1} value={pcCount} onChange={(e) => setPcCount(e.target.value)} apiField="pcCount" error={error} />
        <Field label={t("date")} type="date" value={date} onChange={(e) => setDate(e.target.value)} />
        <Field label={t("time")} type="time" value={time} onChange={(e) => setTime(e.target.value)} apiField="startsAt" error={error} />
        <Field label={t("duration")} type="number" min={15} step={15} value={minutes} onChange={(e) => setMinutes(e.target.value)} apiField="minutes" error={error} />
        <div className="col-span-2">
          <ErrorBox error={error} />
        </div>
      </form>
    </Dialog>
  );
}
