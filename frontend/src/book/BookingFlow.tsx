// Booking an appointment: service → specialist or anyone → day → a free time (live) → the
// time held with a countdown → name, phone and consent → a booking code and an .ics file.
import { useEffect, useMemo, useRef, useState } from "react";
import { useMutation, useQuery, useSubscription } from "urql";
import { BookConfirmDocument, BookHoldDocument, BookReleaseDocument, BookSlotsChangedDocument, BookSlotsDocument, BookSpecialistsDocument } from "@clubgrid/client";
import type { BookHoldMutation, BookLocationQuery, PublicBookingFieldsFragment } from "@clubgrid/client";
import { formatMoney } from "../lib/money";
import { formatDateTime, formatTime } from "../lib/time";
import { dayLabel, nextDays } from "./dates";
import { icsHref } from "./ics";
import { useLang, useText } from "./text";
import { Alert, Btn, ErrorNote, Field, Panel, useErrorText } from "./ui";

type Location = BookLocationQuery["publicLocation"];
type Hold = BookHoldMutation["holdSlot"];

const DAYS = 14;

function useCountdown(deadline: string | null): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!deadline) return;
    const timer = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(timer);
  }, [deadline]);
  return deadline ? Math.max(0, Math.ceil((new Date(deadline).getTime() - now) / 1000)) : 0;
}

function mmss(seconds: number): string {
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
}

export function BookingFlow({ location }: { location: Location }) {
  const t = useText();
  const lang = useLang();
  const tz = location.timezone;
  const [serviceId, setServiceId] = useState<string | null>(null);
  const [specialistId, setSpecialistId] = useState<string | null | "any">(null);
  const days = useMemo(() => nextDays(tz, DAYS), [tz]);
  const [day, setDay] = useState<string>(() => days[0] ?? "");
  const [hold, setHold] = useState<Hold | null>(null);
  const [expired, setExpired] = useState(false);
  const [done, setDone] = useState<PublicBookingFieldsFragment | null>(null);

  const services = location.services;
  const service = services.find((s) => s.id === serviceId) ?? null;

  if (done && service) return <Booked booking={done} location={location} serviceName={service.name} onAgain={() => { setDone(null); setHold(null); setServiceId(null); setSpecialistId(null); }} />;

  if (!service) {
    return (
      <Panel title={t("chooseService")}>
        <ul className="flex flex-col gap-2">
          {services.map((s) => (
            <li key={s.id}>
              <button type="button" onClick={() => { setServiceId(s.id); setExpired(false); }} className="flex w-full items-center justify-between gap-3 rounded-lg border border-slate-200 p-3 text-left hover:border-sky-500 hover:bg-sky-50">
                <span>
                  <span className="block font-medium">{s.name}</span>
                  <span className="block text-sm text-slate-500">
                    {s.durationMinutes} {t("minutes")}
                    {s.category ? ` · ${s.category}` : ""}
                  </span>
                </span>
                <span className="whitespace-nowrap font-semibold">{formatMoney(s.price)}</span>
              </button>
            </li>
          ))}
        </ul>
      </Panel>
    );
  }

  if (specialistId === null) {
    return <SpecialistStep serviceId={service.id} serviceName={service.name} onBack={() => setServiceId(null)} onPick={setSpecialistId} />;
  }

  if (hold) {
    return (
      <HoldStep
        hold={hold}
        location={location}
        serviceName={service.name}
        onExpired={() => { setHold(null); setExpired(true); }}
        onBack={() => setHold(null)}
        onBooked={setDone}
      />
    );
  }

  return (
    <div className="flex flex-col gap-3">
      {expired && <Alert>{t("holdExpired")}</Alert>}
      <Panel title={service.name}>
        <div className="mb-3 flex items-center justify-between gap-2">
          <Btn onClick={() => setSpecialistId(null)}>← {t("back")}</Btn>
          <span className="text-sm text-slate-500">{formatMoney(service.price)} · {service.durationMinutes} {t("minutes")}</span>
        </div>
        <h3 className="mb-2 font-medium">{t("chooseDay")}</h3>
        <div className="-mx-1 flex gap-2 overflow-x-auto px-1 pb-2" role="group" aria-label={t("chooseDay")}>
          {days.map((d) => (
            <Btn key={d} aria-pressed={d === day} onClick={() => setDay(d)} className="shrink-0 px-3 text-sm">
              {dayLabel(d, lang)}
            </Btn>
          ))}
        </div>
      </Panel>
      <Slots
        location={location}
        serviceId={service.id}
        specialistId={specialistId === "any" ? null : specialistId}
        day={day}
        onHeld={(h) => { setExpired(false); setHold(h); }}
      />
    </div>
  );
}

function SpecialistStep({ serviceId, serviceName, onBack, onPick }: { serviceId: string; serviceName: string; onBack: () => void; onPick: (id: string) => void }) {
  const t = useText();
  const [res] = useQuery({ query: BookSpecialistsDocument, variables: { serviceId } });
  return (
    <Panel title={`${serviceName}: ${t("chooseSpecialist")}`}>
      <ErrorNote error={res.error} />
      <div className="flex flex-col gap-2">
        <Btn primary onClick={() => onPick("any")}>{t("anySpecialist")}</Btn>
        {(res.data?.specialists ?? []).map((s) => (
          <Btn key={s.id} onClick={() => onPick(s.id)} className="text-left">
            {s.firstName} {s.lastName}
            {s.title ? <span className="text-sm text-slate-500"> · {s.title}</span> : null}
          </Btn>
        ))}
        <Btn onClick={onBack}>← {t("back")}</Btn>
      </div>
    </Panel>
  );
}

/** A day's free times, kept current by `slotsChanged`: a time someone takes disappears. */
export function Slots({ location, serviceId, specialistId, day, onHeld, pick }: {
  location: Location;
  serviceId: string;
  specialistId: string | null;
  day: string;
  onHeld?: (hold: Hold) => void;
  /** Instead of holding, hand the chosen start over (rescheduling). */
  pick?: (startsAt: string) => void;
}) {
  const t = useText();
  const lang = useLang();
  const [res, refetch] = useQuery({
    query: BookSlotsDocument,
    variables: { locationId: location.id, serviceId, specialistId, from: day, to: day },
    requestPolicy: "network-only",
  });
  useSubscription({ query: BookSlotsChangedDocument, variables: { locationId: location.id, serviceId } }, (_, event) => {
    if (event.slotsChanged.eventId) refetch({ requestPolicy: "network-only" });
    return event;
  });
  const [held, holdSlot] = useMutation(BookHoldDocument);
  const holdError = useErrorText(held.error);
  // One button per time; with "anyone" the first free specialist takes it.
  const times = useMemo(() => {
    const seen = new Map<string, string>();
    for (const slot of res.data?.availableSlots ?? []) if (!seen.has(slot.startsAt)) seen.set(slot.startsAt, slot.specialistId);
    return [...seen.entries()];
  }, [res.data]);

  const choose = async (startsAt: string, specialist: string) => {
    if (pick) return pick(startsAt);
    const result = await holdSlot({ input: { locationId: location.id, serviceId, specialistId: specialist, startsAt } });
    if (result.data) onHeld?.(result.data.holdSlot);
    else refetch({ requestPolicy: "network-only" });
  };

  return (
    <Panel title={t("chooseTime")}>
      <p className="mb-2 flex items-center gap-2 text-xs text-slate-500">
        <span className="inline-block h-2 w-2 animate-pulse rounded-full bg-emerald-500" aria-hidden />
        {t("live")}
      </p>
      {holdError && <div className="mb-2"><Alert>{holdError}</Alert></div>}
      <ErrorNote error={res.error} />
      {res.fetching && !res.data && <p className="text-slate-500">{t("loading")}</p>}
      {res.data && times.length === 0 && <p className="text-slate-600">{t("noSlots")}</p>}
      <div className="grid grid-cols-4 gap-2 sm:grid-cols-6" data-testid="slots">
        {times.map(([startsAt, specialist]) => (
          <Btn key={startsAt} disabled={held.fetching} onClick={() => void choose(startsAt, specialist)} className="px-2 text-sm tabular-nums" data-slot={startsAt}>
            {formatTime(startsAt, location.timezone, lang)}
          </Btn>
        ))}
      </div>
    </Panel>
  );
}

function HoldStep({ hold, location, serviceName, onExpired, onBack, onBooked }: { hold: Hold; location: Location; serviceName: string; onExpired: () => void; onBack: () => void; onBooked: (b: PublicBookingFieldsFragment) => void }) {
  const t = useText();
  const lang = useLang();
  const left = useCountdown(hold.expiresAt);
  const [name, setName] = useState("");
  const [phone, setPhone] = useState("");
  const [note, setNote] = useState("");
  const [consent, setConsent] = useState(false);
  const [askConsent, setAskConsent] = useState(false);
  const key = useRef(crypto.randomUUID());
  const [confirmed, confirm] = useMutation(BookConfirmDocument);
  const [, release] = useMutation(BookReleaseDocument);
  const code = confirmed.error?.graphQLErrors[0]?.extensions?.["code"];

  useEffect(() => {
    if (left === 0 || code === "HOLD_EXPIRED") onExpired();
  }, [left, code, onExpired]);

  const submit = async () => {
    if (!consent) return setAskConsent(true);
    const result = await confirm({ input: { holdToken: hold.token, name, phone, note: note.trim() || null, consentToContact: true, idempotencyKey: key.current } });
    if (result.data) onBooked(result.data.confirmPublicBooking);
  };

  return (
    <Panel title={serviceName}>
      <p className="mb-1 text-lg font-semibold">{formatDateTime(hold.startsAt, location.timezone, lang)}</p>
      <p className="mb-4 rounded-lg bg-amber-50 px-3 py-2 text-amber-900" role="timer" aria-live="off" data-testid="hold-countdown">
        {t("holding")} <span className="font-semibold tabular-nums">{mmss(left)}</span>
      </p>
      <form className="flex flex-col gap-3" onSubmit={(e) => { e.preventDefault(); void submit(); }}>
        <Field label={t("name")} value={name} onChange={(e) => setName(e.target.value)} autoComplete="name" required />
        <Field label={t("phone")} value={phone} onChange={(e) => setPhone(e.target.value)} type="tel" autoComplete="tel" inputMode="tel" hint={t("phoneHint")} required />
        <Field label={t("note")} value={note} onChange={(e) => setNote(e.target.value)} />
        <label className="flex items-start gap-2 text-sm">
          <input type="checkbox" className="mt-1 h-5 w-5" checked={consent} onChange={(e) => { setConsent(e.target.checked); setAskConsent(false); }} />
          <span>{t("consent")}</span>
        </label>
        {askConsent && <Alert>{t("consentNeeded")}</Alert>}
        <ErrorNote error={code === "HOLD_EXPIRED" ? null : confirmed.error} />
        <Btn primary type="submit" disabled={confirmed.fetching}>{confirmed.fetching ? t("confirming") : t("confirm")}</Btn>
        <Btn onClick={() => { void release({ token: hold.token }); onBack(); }}>← {t("back")}</Btn>
      </form>
    </Panel>
  );
}

function Booked({ booking, location, serviceName, onAgain }: { booking: PublicBookingFieldsFragment; location: Location; serviceName: string; onAgain: () => void }) {
  const t = useText();
  const lang = useLang();
  const ics = icsHref({
    uid: `${booking.code}@${location.slug}.clubgrid`,
    title: `${serviceName} — ${location.name}`,
    location: `${location.name}, ${location.address}`,
    description: `${t("yourCode")}: ${booking.code}`,
    startsAt: booking.startsAt,
    endsAt: booking.endsAt,
  });
  return (
    <Panel>
      <div className="flex flex-col items-center gap-3 text-center">
        <p className="text-2xl font-semibold text-emerald-700">{t("booked")}</p>
        <p>{serviceName}</p>
        <p className="text-lg font-medium">{formatDateTime(booking.startsAt, location.timezone, lang)}</p>
        <p className="text-sm text-slate-500">{t("yourCode")}</p>
        <p className="rounded-lg bg-slate-100 px-4 py-2 font-mono text-3xl tracking-widest" data-testid="booking-code">{booking.code}</p>
        <p className="text-sm text-slate-600">{t("codeHint")}</p>
        <a href={ics} download={`booking-${booking.code}.ics`} className="min-h-11 rounded-lg bg-sky-700 px-4 py-2 font-medium text-white">
          {t("addToCalendar")}
        </a>
        <Btn onClick={onAgain}>{t("bookAnother")}</Btn>
      </div>
    </Panel>
  );
}
