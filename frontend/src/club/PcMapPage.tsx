import { useEffect, useLayoutEffect, useMemo, useRef, useState } from "react";
import { useClient, useQuery } from "urql";
import { PcMapDocument, ResourceStatusChangedDocument, SessionEventsDocument } from "@clubgrid/client";
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
      {state.zones.map((zone) => (
        <Card key={zone.zoneId ?? zone.name} title={zone.name}>
          <div className="grid grid-cols-[repeat(auto-fill,minmax(9.5rem,1fr))] gap-2">
            {zone.pcIds.map((id) => {
              const pc = state.tiles[id];
              return pc ? <PcTile key={id} tile={pc} now={now} ending={pc.session ? ending.has(pc.session.id) : false} onAction={(kind) => setDialog({ kind, id })} /> : null;
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

function PcTile({ tile, now, ending, onAction }: { tile: Tile; now: number; ending: boolean; onAction: (kind: DialogKind) => void }) {
  const { t, lang } = useI18n();
  const { currency } = useApp();
  const can = useCan();
  const { resource, session } = tile;
  const style = STATUS_STYLE[resource.status] ?? STATUS_STYLE["FREE"];
  const left = minutesLeft(session, now);
  const warn = session !== null && (ending || (left !== null && left <= WARN_MINUTES));
  const who = tile.clientName ?? session?.guestName ?? (session?.clientId ? `${t("client")} #${session.clientId}` : session ? t("guest") : null);
  return (
    <div data-pc={resource.name} data-status={resource.status} className={`flex min-h-28 flex-col gap-1 rounded-md border-2 p-2 text-sm ${style?.tile ?? ""} ${warn ? "ring-2 ring-rose-500" : ""}`}>
      <div className="flex items-center justify-between">
        <span className="font-semibold">{resource.name}</span>
        <span className="text-xs">{t(style?.key ?? "free")}</span>
      </div>
      {session ? (
        <div className="flex flex-col text-xs">
          <span className="truncate font-medium" title={who ?? ""}>
            {who}
          </span>
          <span className={warn ? "font-semibold text-rose-700" : "text-slate-600"} data-testid="time-left">
            {left !== null ? `${t("left")} ${formatDuration(left, lang)}${warn ? ` · ${t("endsSoon")}` : ""}` : t("openSession")}
          </span>
          {tile.costSoFar && <span className="text-slate-600 tabular-nums">{formatMoney(tile.costSoFar, currency)}</span>}
        </div>
      ) : resource.status === "OUT_OF_ORDER" && resource.notes ? (
        <span className="text-xs">{resource.notes}</span>
      ) : null}
      <div className="mt-auto flex flex-wrap gap-1">
        {!session && resource.status !== "OUT_OF_ORDER" && can("Mutation.startSession") && (
          <Button tone="primary" className="px-2 py-0.5 text-xs" onClick={() => onAction("start")}>
            {t("startSession")}
          </Button>
        )}
        {session?.kind === "PREPAID" && can("Mutation.extendSession") && (
          <Button className="px-2 py-0.5 text-xs" onClick={() => onAction("extend")}>
            {t("extend")}
          </Button>
        )}
        {session && can("Mutation.moveSession") && (
          <Button className="px-2 py-0.5 text-xs" onClick={() => onAction("move")}>
            {t("move")}
          </Button>
        )}
        {session && can("Mutation.stopSession") && (
          <Button tone="danger" className="px-2 py-0.5 text-xs" onClick={() => onAction("stop")}>
            {t("stop")}
          </Button>
        )}
        {!session && can("Mutation.setResourceStatus") && (
          <Button tone="ghost" className="px-2 py-0.5 text-xs" onClick={() => onAction("status")} title={t("markOutOfOrder")} aria-label={resource.status === "OUT_OF_ORDER" ? t("markFree") : t("markOutOfOrder")}>
            {resource.status === "OUT_OF_ORDER" ? t("markFree") : "⚠"}
          </Button>
        )}
      </div>
    </div>
  );
}
