// A booking found by its code: see it, cancel it, or move it to another free time of the
// same specialist, within the venue's cut-off.
import { useMemo, useState } from "react";
import { useMutation, useQuery } from "urql";
import { BookCancelDocument, BookFindDocument, BookRescheduleDocument } from "@clubgrid/client";
import type { BookLocationQuery } from "@clubgrid/client";
import { formatMoney } from "../lib/money";
import { formatDateTime, formatDuration } from "../lib/time";
import { Slots } from "./BookingFlow";
import { dayLabel, nextDays } from "./dates";
import type { Key } from "./text";
import { useLang, useText } from "./text";
import { Alert, Btn, ErrorNote, Field, Panel } from "./ui";

type Location = BookLocationQuery["publicLocation"];

export function ManageBooking({ location, initialCode }: { location: Location; initialCode: string }) {
  const t = useText();
  const lang = useLang();
  const [typed, setTyped] = useState(initialCode);
  const [code, setCode] = useState(initialCode);
  const [found, refetch] = useQuery({ query: BookFindDocument, variables: { code }, pause: !code, requestPolicy: "network-only" });
  const [cancelled, cancel] = useMutation(BookCancelDocument);
  const [moved, move] = useMutation(BookRescheduleDocument);
  const [moving, setMoving] = useState(false);
  const [notice, setNotice] = useState<Key | null>(null);
  const days = useMemo(() => nextDays(location.timezone, 14), [location.timezone]);
  const [day, setDay] = useState(days[0] ?? "");
  const booking = found.data?.publicBooking;
  const service = location.services.find((s) => s.id === booking?.serviceId);
  const cutoff = location.bookingRules.cancelCutoffMinutes;

  return (
    <div className="flex flex-col gap-3">
      <Panel title={t("manageTitle")}>
        <form className="flex items-end gap-2" onSubmit={(e) => { e.preventDefault(); setNotice(null); setMoving(false); setCode(typed.trim().toUpperCase()); }}>
          <div className="flex-1">
            <Field label={t("code")} value={typed} onChange={(e) => setTyped(e.target.value)} autoCapitalize="characters" />
          </div>
          <Btn primary type="submit">{t("find")}</Btn>
        </form>
      </Panel>
      <ErrorNote error={found.error} />
      {notice && <Alert tone="ok">{t(notice)}</Alert>}
      {booking && (
        <Panel title={service?.name ?? ""}>
          <dl className="mb-3 grid grid-cols-[auto_1fr] gap-x-3 gap-y-1">
            <dt className="text-slate-500">{t("code")}</dt>
            <dd className="font-mono">{booking.code}</dd>
            <dt className="text-slate-500">{t("status")}</dt>
            <dd data-testid="booking-status">{t(`status${booking.status}` as Key)}</dd>
            <dt className="text-slate-500">{t("date")}</dt>
            <dd>{formatDateTime(booking.startsAt, location.timezone, lang)}</dd>
            <dt className="text-slate-500">{t("price")}</dt>
            <dd>{formatMoney(booking.total)}</dd>
          </dl>
          {booking.status === "BOOKED" && <p className="mb-3 text-sm text-slate-500">{t("cutoff", { n: formatDuration(cutoff, lang) })}</p>}
          <ErrorNote error={cancelled.error ?? moved.error} />
          {booking.status === "BOOKED" && (
            <div className="flex flex-col gap-2">
              <Btn onClick={() => setMoving((m) => !m)} aria-pressed={moving}>{t("reschedule")}</Btn>
              <Btn
                className="border-rose-300 text-rose-800"
                disabled={cancelled.fetching}
                onClick={async () => {
                  if (!confirm(t("cancelConfirm"))) return;
                  const result = await cancel({ code: booking.code });
                  if (result.data) {
                    setNotice("cancelled");
                    refetch({ requestPolicy: "network-only" });
                  }
                }}
              >
                {t("cancelBooking")}
              </Btn>
            </div>
          )}
        </Panel>
      )}
      {booking && moving && booking.status === "BOOKED" && (
        <>
          <Panel title={t("newTime")}>
            <div className="-mx-1 flex gap-2 overflow-x-auto px-1 pb-2">
              {days.map((d) => (
                <Btn key={d} aria-pressed={d === day} onClick={() => setDay(d)} className="shrink-0 px-3 text-sm">
                  {dayLabel(d, lang)}
                </Btn>
              ))}
            </div>
          </Panel>
          <Slots
            location={location}
            serviceId={booking.serviceId}
            specialistId={booking.specialistId}
            day={day}
            pick={async (startsAt) => {
              const result = await move({ code: booking.code, startsAt });
              if (result.data) {
                setMoving(false);
                setNotice("rescheduled");
                refetch({ requestPolicy: "network-only" });
              }
            }}
          />
        </>
      )}
    </div>
  );
}
