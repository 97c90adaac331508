import { useMemo, useState } from "react";
import { useMutation, useQuery } from "urql";
import { CancelPcBookingDocument, CreatePcBookingDocument, PcBookingsDocument, PcMapDocument, UsePcBookingDocument } from "@clubgrid/client";
import type { ClientRowFragment, PcBookingsQuery } from "@clubgrid/client";
import { useApp, useCan } from "../app/context";
import { ClientPicker } from "../clients/ClientPicker";
import { Link } from "../app/router";
import { describeError } from "../lib/errors";
import type { ShownError } from "../lib/errors";
import { enumLabel, useI18n } from "../lib/i18n";
import { formatTime, localDate, localDayRange, nextSlot, zonedToUtc } from "../lib/time";
import { Button, Card, Checkbox, Dialog, Empty, ErrorBox, Field, Loading, Select } from "../ui/ui";

type Booking = PcBookingsQuery["pcBookings"]["items"][number];
interface ZoneChoice {
  id: string;
  name: string;
  pcs: { id: string; name: string; status: string }[];
}

const STATUS_TONE: Record<string, string> = {
  ACTIVE: "bg-amber-100 text-amber-900",
  USED: "bg-sky-100 text-sky-900",
  COMPLETED: "bg-slate-100 text-slate-600",
  CANCELLED: "bg-slate-100 text-slate-500 line-through",
  NO_SHOW: "bg-rose-100 text-rose-800",
};

/** PC bookings of the location's local day: create, cancel, seat; no-shows shown. */
export default function BookingsPage() {
  const { t, lang } = useI18n();
  const { location } = useApp();
  const can = useCan();
  const [day, setDay] = useState(() => localDate(location.timezone));
  const range = useMemo(() => localDayRange(location.timezone, day), [location.timezone, day]);
  const [list, refetch] = useQuery({ query: PcBookingsDocument, variables: { filter: { locationId: location.id, ...range }, page: { limit: 100 } }, requestPolicy: "cache-and-network" });
  const [map, refetchMap] = useQuery({ query: PcMapDocument, variables: { locationId: location.id }, requestPolicy: "cache-and-network" });
  const [creating, setCreating] = useState(false);
  const [cancelling, setCancelling] = useState<Booking | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [used, use] = useMutation(UsePcBookingDocument);
  const zones: ZoneChoice[] = (map.data?.pcMap.zones ?? []).filter((z) => z.zoneId).map((z) => ({ id: z.zoneId ?? "", name: z.name, pcs: z.pcs.map((p) => ({ id: p.resource.id, name: p.resource.name, status: p.resource.status })) }));
  const zoneName = (id: string) => zones.find((z) => z.id === id)?.name ?? `#${id}`;
  const pcName = (id: string) => zones.flatMap((z) => z.pcs).find((p) => p.id === id)?.name ?? `#${id}`;
  const again = () => {
    refetch({ requestPolicy: "network-only" });
    refetchMap({ requestPolicy: "network-only" });
  };
  const items = [...(list.data?.pcBookings.items ?? [])].sort((a, b) => a.startsAt.localeCompare(b.startsAt));
  const tz = location.timezone;

  async function seat(b: Booking) {
    const res = await use({ id: b.id });
    if (!res.error) {
      setNotice(t("seated", { pcs: b.resourceIds.map(pcName).join(", ") }));
      again();
    }
  }

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
      {notice && (
        <p role="status" className="rounded-md bg-emerald-50 px-3 py-2 text-sm text-emerald-800">
          {notice}
        </p>
      )}
      <ErrorBox error={describeError(list.error ?? used.error, lang)} />
      <Card>
        {list.fetching && !list.data ? (
          <Loading />
        ) : items.length === 0 ? (
          <Empty>{t("noBookings")}</Empty>
        ) : (
          <div className="overflow-x-auto">
            <table className="w-full text-sm" data-testid="bookings">
              <thead>
                <tr className="border-b border-slate-200 text-left text-slate-500">
                  <th className="py-1 pr-2">{t("time")}</th>
                  <th className="py-1 pr-2">{t("zone")}</th>
                  <th className="py-1 pr-2">{t("pcs")}</th>
                  <th className="py-1 pr-2">{t("client")}</th>
                  <th className="py-1 pr-2">{t("status")}</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {items.map((b) => (
                  <tr key={b.id} data-booking={b.id} data-status={b.status} className={`border-b border-slate-100 align-top ${b.status === "NO_SHOW" ? "bg-rose-50" : ""}`}>
                    <td className="py-1.5 pr-2 whitespace-nowrap tabular-nums">
                      {formatTime(b.startsAt, tz, lang)}–{formatTime(b.endsAt, tz, lang)}
                    </td>
                    <td className="py-1.5 pr-2">{zoneName(b.zoneId)}</td>
                    <td className="py-1.5 pr-2">{b.resourceIds.map(pcName).join(", ")}</td>
                    <td className="py-1.5 pr-2">
                      {b.client ? (
                        <Link href={`/clients/${b.client.id}`} className="text-sky-700 hover:underline">
                          {b.client.displayName}
                        </Link>
                      ) : (
                        `#${b.clientId}`
                      )}
                      {b.client?.phone && <span className="block text-xs text-slate-500 tabular-nums">{b.client.phone}</span>}
                      {b.note && <span className="block text-xs text-slate-500">{b.note}</span>}
                    </td>
                    <td className="py-1.5 pr-2">
                      <span className={`rounded px-1.5 py-0.5 text-xs ${STATUS_TONE[b.status] ?? ""}`}>{enumLabel(t, b.status)}</span>
                    </td>
                    <td className="py-1.5 text-right whitespace-nowrap">
                      {b.status === "ACTIVE" && (
                        <span className="inline-flex gap-1">
                          {can("Mutation.usePcBooking") && (
                            <Button tone="primary" className="px-2 py-0.5 text-xs" onClick={() => void seat(b)} disabled={used.fetching} title={t("seatHint")}>
                              {t("seat")}
                            </Button>
                          )}
                          {can("Mutation.cancelPcBooking") && (
                            <Button className="px-2 py-0.5 text-xs" onClick={() => setCancelling(b)}>
                              {t("cancelBooking")}
                            </Button>
                          )}
                        </span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
      {creating && (
        <CreateBooking
          zones={zones}
          onClose={() => setCreating(false)}
          onDone={(created, pcs) => {
            setCreating(false);
            setDay(created);
            setNotice(t("bookingCreated", { pcs: pcs.map(pcName).join(", ") }));
            again();
          }}
        />
      )}
      {cancelling && (
        <CancelBooking
          booking={cancelling}
          onClose={() => setCancelling(null)}
          onDone={() => {
            setCancelling(null);
            setNotice(t("bookingCancelled"));
            again();
          }}
        />
      )}
    </div>
  );
}

function CreateBooking({ zones, onClose, onDone }: { zones: ZoneChoice[]; onClose: () => void; onDone: (day: string, pcs: string[]) => void }) {
  const { t, lang } = useI18n();
  const { location } = useApp();
  const [first] = useState(() => nextSlot(location.timezone));
  const [client, setClient] = useState<ClientRowFragment | null>(null);
  const [zoneId, setZoneId] = useState(zones[0]?.id ?? "");
  const [date, setDate] = useState(first.date);
  const [time, setTime] = useState(first.time);
  const [minutes, setMinutes] = useState("120");
  const [pcCount, setPcCount] = useState("1");
  const [picked, setPicked] = useState<string[]>([]);
  const [note, setNote] = useState("");
  const [local, setLocal] = useState<ShownError | null>(null);
  const [result, create] = useMutation(CreatePcBookingDocument);
  const error = local ?? describeError(result.error, lang);
  const zone = zones.find((z) => z.id === zoneId);
  async function submit(e: React.FormEvent) {
    e.preventDefault();
    if (!client) return setLocal({ code: "VALIDATION", message: t("required"), field: "input.clientId" });
    if (!/^\d+$/.test(minutes.trim())) return setLocal({ code: "VALIDATION", message: t("badNumber"), field: "input.minutes" });
    if (picked.length === 0 && !/^\d+$/.test(pcCount.trim())) return setLocal({ code: "VALIDATION", message: t("badNumber"), field: "input.pcCount" });
    setLocal(null);
    const startsAt = zonedToUtc(date, time, location.timezone).toISOString();
    const res = await create({
      input: { clientId: client.id, zoneId, startsAt, minutes: Number(minutes), pcCount: picked.length > 0 ? picked.length : Number(pcCount), resourceIds: picked, note: note.trim() || null },
    });
    if (res.data) onDone(date, res.data.createPcBooking.resourceIds);
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
      <form id="new-booking" onSubmit={submit} className="grid grid-cols-2 gap-3" noValidate>
        <div className="col-span-2">
          <ClientPicker label={t("findClient")} value={client} onChange={setClient} />
        </div>
        <Select
          label={t("zone")}
          name="zoneId"
          value={zoneId}
          onChange={(e) => {
            setZoneId(e.target.value);
            setPicked([]);
          }}
          apiField="zoneId"
          error={error}
        >
          {zones.map((z) => (
            <option key={z.id} value={z.id}>
              {z.name}
            </option>
          ))}
        </Select>
        <Field label={t("pcCount")} name="pcCount" type="number" min={1} value={picked.length > 0 ? String(picked.length) : pcCount} onChange={(e) => setPcCount(e.target.value)} disabled={picked.length > 0} apiField="pcCount" error={error} />
        <Field label={t("date")} name="date" type="date" value={date} onChange={(e) => setDate(e.target.value)} />
        <Field label={t("time")} name="time" type="time" value={time} onChange={(e) => setTime(e.target.value)} apiField="startsAt" error={error} />
        <Field label={t("duration")} name="minutes" type="number" min={15} step={15} value={minutes} onChange={(e) => setMinutes(e.target.value)} apiField="minutes" error={error} />
        <Field label={t("note")} name="note" value={note} onChange={(e) => setNote(e.target.value)} apiField="note" error={error} />
        {zone && zone.pcs.length > 0 && (
          <fieldset className="col-span-2 flex flex-col gap-1 text-sm">
            <legend className="mb-1 font-medium text-slate-700">{t("pickPcs")}</legend>
            <div className="flex flex-wrap gap-x-3 gap-y-1">
              {zone.pcs.map((p) => (
                <Checkbox
                  key={p.id}
                  label={p.name}
                  checked={picked.includes(p.id)}
                  disabled={p.status === "OUT_OF_ORDER"}
                  onChange={() => setPicked(picked.includes(p.id) ? picked.filter((x) => x !== p.id) : [...picked, p.id])}
                />
              ))}
            </div>
            <span className="text-xs text-slate-500">{t("pickPcsHint")}</span>
          </fieldset>
        )}
        <div className="col-span-2">
          <ErrorBox error={error} />
        </div>
      </form>
    </Dialog>
  );
}

function CancelBooking({ booking, onClose, onDone }: { booking: Booking; onClose: () => void; onDone: () => void }) {
  const { t, lang } = useI18n();
  const { location } = useApp();
  const [reason, setReason] = useState("");
  const [result, cancel] = useMutation(CancelPcBookingDocument);
  const error = describeError(result.error, lang);
  async function submit(e: React.FormEvent) {
    e.preventDefault();
    const res = await cancel({ id: booking.id, reason: reason.trim() || null });
    if (!res.error) onDone();
  }
  return (
    <Dialog
      title={t("confirmCancelBooking", { time: formatTime(booking.startsAt, location.timezone, lang), name: booking.client?.displayName ?? `#${booking.clientId}` })}
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>{t("close")}</Button>
          <Button tone="danger" type="submit" form="cancel-booking" disabled={result.fetching}>
            {t("cancelBooking")}
          </Button>
        </>
      }
    >
      <form id="cancel-booking" onSubmit={submit} className="flex flex-col gap-3">
        <Field label={t("reason")} name="reason" value={reason} onChange={(e) => setReason(e.target.value)} apiField="reason" error={error} autoFocus />
        <ErrorBox error={error} />
      </form>
    </Dialog>
  );
}
