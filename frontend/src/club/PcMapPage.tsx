import { useEffect, useLayoutEffect, useMemo, useRef, useState } from "react";
import { useClient, useMutation, useQuery } from "urql";
import { PcBookingsDocument, PcMapDocument, ResourceStatusChangedDocument, SessionEventsDocument, UsePcBookingDocument } from "@clubgrid/client";
import { useApp, useCan } from "../app/context";
import { api } from "../app/client";
import { describeError } from "../lib/errors";
import { useI18n } from "../lib/i18n";
import type { Key } from "../lib/i18n";
import { formatMoney } from "../lib/money";
import { formatDuration, formatTime } from "../lib/time";
import { Button, Card, ErrorBox, Loading } from "../ui/ui";
import { applyResources, applySessions, counts, fromQuery, minutesLeft } from "./mapState";
import type { MapState, Tile } from "./mapState";
import { ExtendDialog, MoveDialog, StartDialog, StatusDialog, StopDialog } from "./SessionDialogs";

const STATUS_STYLE: Record<string, { tile: string; key: Key }> = {
  FREE: { tile: "border-emerald-300 bg-emerald-50", key: "free" },
  BUSY: { tile: "border-sky-400 bg-sky-100", key: "busy" },
  BOOKED: { tile: "border-amber-300 bg-amber-50", key: "booked" },
  OUT_OF_ORDER: { tile: "border-slate-300 bg-slate-200 text-slate-500", key: "outOfOrder" },
};

const WARN_MINUTES = 5;

type DialogKind = "start" | "extend" | "move" | "stop" | "status";

/** Keeps the map live: the pcMap snapshot, then both subscriptions folded in. */
export function useLiveMap(locationId: string) {
  const client = useClient();
  const [query, refetch] = useQuery({ query: PcMapDocument, variables: { locationId }, requestPolicy: "network-only" });
  const [state, setState] = useState<MapState | null>(null);
  const [ending, setEnding] = useState<ReadonlySet<string>>(new Set());
  const [connected, setConnected] = useState(true);

  useEffect(() => {
    if (query.data) setState(fromQuery(query.data.pcMap));
  }, [query.data]);

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    // Names and costs of new sessions come with the map; fetch it again shortly after.
    const refresh = () => {
      clearTimeout(timer);
      timer = setTimeout(() => refetch({ requestPolicy: "network-only" }), 400);
    };
    const resources = client.subscription(ResourceStatusChangedDocument, { locationId }).subscribe((result) => {
      const update = result.data?.resourceStatusChanged;
      if (update) setState((s) => (s ? applyResources(s, update.resources, update.removedIds) : s));
    });
    const sessions = client.subscription(SessionEventsDocument, { locationId }).subscribe((result) => {
      const update = result.data?.sessionEvents;
      if (!update) return;
      setState((s) => (s ? applySessions(s, update.kind, update.sessions) : s));
      if (update.kind === "ENDING") setEnding((e) => new Set([...e, ...update.sessions.map((x) => x.id)]));
      if (update.kind === "STARTED" || update.kind === "MOVED" || update.kind === "EXTENDED") refresh();
    });
    const offConnected = api.ws.on("connected", () => setConnected(true));
    const offClosed = api.ws.on("closed", () => setConnected(false));
    return () => {
      clearTimeout(timer);
      resources.unsubscribe();
      sessions.unsubscribe();
      offConnected();
      offClosed();
    };
  }, [client, locationId, refetch]);

  return { state, error: query.error, connected, ending };
}

export interface TileBooking {
  id: string;
  startsAt: string;
  who: string;
}

/**
 * The location's live bookings of the next three hours, by PC, to show on the tiles and seat
 * from them. Asked again when the count of booked PCs changes (a booking made, used or
 * released elsewhere) and as the window moves on.
 */
function useUpcomingBookings(locationId: string, now: number, booked: number) {
  const { lang } = useI18n();
  const can = useCan();
  const from = Math.floor(now / 300_000) * 300_000;
  const variables = useMemo(
    () => ({ filter: { locationId, status: "ACTIVE" as const, from: new Date(from).toISOString(), to: new Date(from + 3 * 3_600_000).toISOString() }, page: { limit: 100 } }),
    [locationId, from],
  );
  const [list, refetch] = useQuery({ query: PcBookingsDocument, variables, pause: !can("Query.pcBookings"), requestPolicy: "cache-and-network" });
  const [used, use] = useMutation(UsePcBookingDocument);
  const seen = useRef(booked);
  useEffect(() => {
    if (seen.current === booked) return;
    seen.current = booked;
    refetch({ requestPolicy: "network-only" });
  }, [booked, refetch]);
  const byPc = useMemo(() => {
    const map = new Map<string, TileBooking>();
    const items = [...(list.data?.pcBookings.items ?? [])].sort((a, b) => a.startsAt.localeCompare(b.startsAt));
    for (const b of items) {
      for (const id of b.resourceIds) {
        if (!map.has(id)) map.set(id, { id: b.id, startsAt: b.startsAt, who: b.client?.displayName ?? `#${b.clientId}` });
      }
    }
    return map;
  }, [list.data]);
  const seat = async (bookingId: string) => {
    const res = await use({ id: bookingId });
    if (!res.error) refetch({ requestPolicy: "network-only" });
  };
  return { byPc, error: describeError(list.error ?? used.error, lang), seat, seating: used.fetching };
}

function useNow(ms = 15_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(id);
  }, [ms]);
  return now;
}

export function PcMapPage() {
  const { t, lang } = useI18n();
  const { location } = useApp();
  const { state, error, connected, ending } = useLiveMap(location.id);
  const [dialog, setDialog] = useState<{ kind: DialogKind; id: string } | null>(null);
  const now = useNow();
  const rendered = useRef<HTMLDivElement>(null);
  const started = useRef(performance.now());

  useLayoutEffect(() => {
    if (state && rendered.current && !rendered.current.dataset["renderMs"]) {
      rendered.current.dataset["renderMs"] = String(Math.round(performance.now() - started.current));
    }
  }, [state]);

  const tally = useMemo(() => (state ? counts(state) : null), [state]);
  const { byPc, error: bookingError, seat, seating } = useUpcomingBookings(location.id, now, tally?.["BOOKED"] ?? 0);
  if (error && !state) return <ErrorBox error={describeError(error, lang)} />;
  if (!state || !tally) return <Loading />;
  const tile = dialog ? state.tiles[dialog.id] : undefined;
  const freeTiles = Object.values(state.tiles).filter((x) => x.resource.status === "FREE");

  return (
    <div className="flex flex-col gap-3" ref={rendered} data-testid="pc-map">
      <div className="flex flex-wrap items-center gap-3">
        <h1 className="text-xl font-semibold">{t("navMap")}</h1>
        <span className={`rounded-full px-2 py-0.5 text-xs ${connected ? "bg-emerald-100 text-emerald-800" : "bg-amber-100 text-amber-800"}`} data-testid="live">
          ● {connected ? t("live") : t("reconnecting")}
        </span>
        <div className="ml-auto flex flex-wrap gap-2 text-xs">
          {Object.entries(STATUS_STYLE).map(([status, style]) => (
            <span key={status} className={`rounded border px-2 py-0.5 ${style.tile}`}>
              {t(style.key)}: {tally[status] ?? 0}
            </span>
          ))}
        </div>
      </div>
      <ErrorBox error={bookingError} />
      {state.zones.map((zone) => (
        <Card key={zone.zoneId ?? zone.name} title={zone.name} dense>
          <div className="grid grid-cols-[repeat(auto-fill,minmax(10rem,1fr))] gap-2">
            {zone.pcIds.map((id) => {
              const pc = state.tiles[id];
              return pc ? <PcTile key={id} tile={pc} now={now} ending={pc.session ? ending.has(pc.session.id) : false} booking={byPc.get(id) ?? null} seating={seating} onSeat={seat} onAction={(kind) => setDialog({ kind, id })} /> : null;
            })}
          </div>
        </Card>
      ))}
      {dialog && tile && <TileDialog kind={dialog.kind} tile={tile} targets={freeTiles} onClose={() => setDialog(null)} />}
      <p className="text-xs text-slate-400">{formatTime(new Date(now).toISOString(), location.timezone, lang)} · {location.timezone}</p>
    </div>
  );
}

function TileDialog({ kind, tile, targets, onClose }: { kind: DialogKind; tile: Tile; targets: Tile[]; onClose: () => void }) {
  switch (kind) {
    case "start":
      return <StartDialog tile={tile} onClose={onClose} />;
    case "extend":
      return <ExtendDialog tile={tile} onClose={onClose} />;
    case "move":
      return <MoveDialog tile={tile} targets={targets} onClose={onClose} />;
    case "stop":
      return <StopDialog tile={tile} onClose={onClose} />;
    case "status":
      return <StatusDialog tile={tile} onClose={onClose} />;
  }
}

function PcTile({ tile, now, ending, booking, seating, onSeat, onAction }: { tile: Tile; now: number; ending: boolean; booking: TileBooking | null; seating: boolean; onSeat: (bookingId: string) => Promise<void>; onAction: (kind: DialogKind) => void }) {
  const { t, lang } = useI18n();
  const { currency, location } = useApp();
  const can = useCan();
  const { resource, session } = tile;
  const style = STATUS_STYLE[resource.status] ?? STATUS_STYLE["FREE"];
  const left = minutesLeft(session, now);
  const warn = session !== null && (ending || (left !== null && left <= WARN_MINUTES));
  const who = tile.clientName ?? session?.guestName ?? (session?.clientId ? `${t("client")} #${session.clientId}` : session ? t("guest") : null);
  const broken = resource.status === "OUT_OF_ORDER";
  const booked = resource.status === "BOOKED";
  // Three actions fit one row of the narrowest tile (6 a row at 1366 px); bigger for fingers.
  const small = "px-1.5 py-0.5 text-[11px] leading-4 pointer-coarse:py-1 pointer-coarse:text-xs";
  return (
    <div data-pc={resource.name} data-status={resource.status} className={`flex flex-col gap-1 rounded-md border-2 p-2 text-sm ${style?.tile ?? ""} ${warn ? "ring-2 ring-rose-500" : ""}`}>
      <div className="flex items-center justify-between gap-1">
        <span className="font-semibold">{resource.name}</span>
        <span className="truncate text-xs">{t(style?.key ?? "free")}</span>
      </div>
      {session ? (
        <div className="flex flex-col text-xs leading-tight">
          <span className="truncate font-medium" title={who ?? ""}>
            {who}
          </span>
          <span className="flex items-baseline justify-between gap-1">
            <span className={warn ? "font-semibold text-rose-700" : "text-slate-600"} data-testid="time-left">
              {left !== null ? `${t("left")} ${formatDuration(left, lang)}${warn ? ` · ${t("endsSoon")}` : ""}` : t("openSession")}
            </span>
            {tile.costSoFar && <span className="shrink-0 text-slate-600 tabular-nums">{formatMoney(tile.costSoFar, currency)}</span>}
          </span>
        </div>
      ) : broken && resource.notes ? (
        <span className="truncate text-xs" title={resource.notes}>
          {resource.notes}
        </span>
      ) : null}
      {!session && booking && (
        <span className={`truncate text-xs ${booked ? "font-medium text-amber-900" : "text-slate-600"}`} title={booking.who} data-testid="tile-booking">
          {t("bookingAt", { time: formatTime(booking.startsAt, location.timezone, lang) })} · {booking.who}
        </span>
      )}
      <div className="mt-auto flex flex-wrap items-center gap-1">
        {!session && !broken && !booked && can("Mutation.startSession") && (
          <Button tone="primary" className={small} onClick={() => onAction("start")}>
            {t("startSession")}
          </Button>
        )}
        {!session && booked && booking && can("Mutation.usePcBooking") && (
          <Button tone="primary" className={small} onClick={() => void onSeat(booking.id)} disabled={seating} title={t("seatHint")}>
            {t("seat")}
          </Button>
        )}
        {session?.kind === "PREPAID" && can("Mutation.extendSession") && (
          <Button className={small} onClick={() => onAction("extend")}>
            {t("extend")}
          </Button>
        )}
        {session && can("Mutation.stopSession") && (
          <Button tone="danger" className={small} onClick={() => onAction("stop")} title={t("stopHint")}>
            {t("stopShort")}
          </Button>
        )}
        {session && can("Mutation.moveSession") && (
          <Button className={`${small} ml-auto`} onClick={() => onAction("move")} aria-label={t("move")} title={t("moveHint")}>
            <span aria-hidden>⇄</span>
          </Button>
        )}
        {!session && can("Mutation.setResourceStatus") && (
          <Button tone="ghost" className={`${small} ${broken ? "" : "ml-auto text-slate-500"}`} onClick={() => onAction("status")} title={broken ? t("backInServiceHint") : t("outOfOrderHint")}>
            {broken ? t("markFree") : `⚠ ${t("outOfOrderShort")}`}
          </Button>
        )}
      </div>
    </div>
  );
}
