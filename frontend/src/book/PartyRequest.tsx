// A laser-tag party request: the area, the day and a free start from real availability,
// the game's length, players and type, and a contact. The time is held at once; a manager
// confirms it.
import { useMemo, useState } from "react";
import { useMutation, useQuery } from "urql";
import { PartyRequestDocument, PartyStartTimesDocument } from "@clubgrid/client";
import type { BookLocationQuery, GameType, PartyRequestMutation } from "@clubgrid/client";
import { formatDateTime, formatTime } from "../lib/time";
import { dayLabel, nextDays } from "./dates";
import type { Key } from "./text";
import { useLang, useText } from "./text";
import { Alert, Btn, ErrorNote, Field, Panel } from "./ui";

type Location = BookLocationQuery["publicLocation"];
const LENGTHS = [60, 90, 120];
const TYPES: GameType[] = ["BIRTHDAY", "GAME", "QUEST"];

export function PartyRequest({ location }: { location: Location }) {
  const t = useText();
  const lang = useLang();
  const areas = location.partyAreas;
  const [areaId, setAreaId] = useState(areas[0]?.id ?? "");
  const days = useMemo(() => nextDays(location.timezone, 21), [location.timezone]);
  const [day, setDay] = useState(days[1] ?? days[0] ?? "");
  const [minutes, setMinutes] = useState(60);
  const [startsAt, setStartsAt] = useState<string | null>(null);
  const [players, setPlayers] = useState(10);
  const [gameType, setGameType] = useState<GameType>("BIRTHDAY");
  const [name, setName] = useState("");
  const [phone, setPhone] = useState("");
  const [notes, setNotes] = useState("");
  const [consent, setConsent] = useState(false);
  const [askConsent, setAskConsent] = useState(false);
  const [sent, setSent] = useState<PartyRequestMutation["requestParty"] | null>(null);
  const [times, refetch] = useQuery({
    query: PartyStartTimesDocument,
    variables: { locationId: location.id, areaId, date: day, gameMinutes: minutes },
    pause: !areaId,
    requestPolicy: "network-only",
  });
  const [requested, request] = useMutation(PartyRequestDocument);
  const area = areas.find((a) => a.id === areaId);

  if (sent) {
    return (
      <Panel>
        <div className="flex flex-col items-center gap-2 text-center">
          <p className="text-2xl font-semibold text-emerald-700">{t("requestSent", { id: sent.id })}</p>
          <p>{sent.areaName} · {formatDateTime(sent.startsAt, location.timezone, lang)}</p>
          <p className="text-slate-600">{t("requestHint")}</p>
        </div>
      </Panel>
    );
  }

  const submit = async () => {
    if (!consent) return setAskConsent(true);
    if (!startsAt) return;
    const result = await request({ input: { locationId: location.id, areaId, startsAt, gameMinutes: minutes, players, gameType, name, phone, notes: notes.trim() || null, consentToContact: true } });
    if (result.data) setSent(result.data.requestParty);
    else refetch({ requestPolicy: "network-only" });
  };

  return (
    <div className="flex flex-col gap-3">
      <Panel title={t("partyTitle")}>
        <h3 className="mb-2 font-medium">{t("area")}</h3>
        <div className="mb-3 flex flex-wrap gap-2">
          {areas.map((a) => (
            <Btn key={a.id} aria-pressed={a.id === areaId} onClick={() => { setAreaId(a.id); setStartsAt(null); }}>
              {a.name} <span className="text-sm text-slate-500">· {t("upTo", { n: a.capacity })}</span>
            </Btn>
          ))}
        </div>
        <h3 className="mb-2 font-medium">{t("gameLength")}</h3>
        <div className="mb-3 flex gap-2">
          {LENGTHS.map((m) => (
            <Btn key={m} aria-pressed={m === minutes} onClick={() => { setMinutes(m); setStartsAt(null); }}>
              {m} {t("minutes")}
            </Btn>
          ))}
        </div>
        <h3 className="mb-2 font-medium">{t("date")}</h3>
        <div className="-mx-1 flex gap-2 overflow-x-auto px-1 pb-2">
          {days.map((d) => (
            <Btn key={d} aria-pressed={d === day} onClick={() => { setDay(d); setStartsAt(null); }} className="shrink-0 px-3 text-sm">
              {dayLabel(d, lang)}
            </Btn>
          ))}
        </div>
      </Panel>
      <Panel title={t("startTime")}>
        <ErrorNote error={times.error} />
        {times.data && times.data.partyStartTimes.length === 0 && <p className="text-slate-600">{t("noPartyTimes")}</p>}
        <div className="grid grid-cols-4 gap-2 sm:grid-cols-6" data-testid="party-times">
          {(times.data?.partyStartTimes ?? []).map((at) => (
            <Btn key={at} aria-pressed={at === startsAt} onClick={() => setStartsAt(at)} className="px-2 text-sm tabular-nums">
              {formatTime(at, location.timezone, lang)}
            </Btn>
          ))}
        </div>
      </Panel>
      {startsAt && (
        <Panel>
          <form className="flex flex-col gap-3" onSubmit={(e) => { e.preventDefault(); void submit(); }}>
            <Field label={t("players")} type="number" min={1} max={area?.capacity ?? 100} value={players} onChange={(e) => setPlayers(Number(e.target.value))} />
            <div className="flex flex-col gap-1">
              <span className="text-sm font-medium text-slate-700">{t("gameType")}</span>
              <div className="flex flex-wrap gap-2">
                {TYPES.map((g) => (
                  <Btn key={g} aria-pressed={g === gameType} onClick={() => setGameType(g)}>{t(`game${g}` as Key)}</Btn>
                ))}
              </div>
            </div>
            <Field label={t("name")} value={name} onChange={(e) => setName(e.target.value)} autoComplete="name" required />
            <Field label={t("phone")} value={phone} onChange={(e) => setPhone(e.target.value)} type="tel" autoComplete="tel" inputMode="tel" hint={t("phoneHint")} required />
            <Field label={t("note")} value={notes} onChange={(e) => setNotes(e.target.value)} />
            <label className="flex items-start gap-2 text-sm">
              <input type="checkbox" className="mt-1 h-5 w-5" checked={consent} onChange={(e) => { setConsent(e.target.checked); setAskConsent(false); }} />
              <span>{t("consent")}</span>
            </label>
            {askConsent && <Alert>{t("consentNeeded")}</Alert>}
            <ErrorNote error={requested.error} />
            <Btn primary type="submit" disabled={requested.fetching}>{t("sendRequest")}</Btn>
          </form>
        </Panel>
      )}
    </div>
  );
}
