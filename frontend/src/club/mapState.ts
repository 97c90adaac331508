// The live map as a pure state: a pcMap snapshot, then resourceStatusChanged and
// sessionEvents messages folded in. Kept free of React so it is tested on its own.
import type { MapResourceFragment, MapSessionFragment, PcMapQuery, SessionEventKind } from "@clubgrid/client";

export interface Tile {
  resource: MapResourceFragment;
  session: MapSessionFragment | null;
  clientName: string | null;
  costSoFar: string | null;
}

export interface MapZone {
  zoneId: string | null;
  name: string;
  pcIds: string[];
}

export interface MapState {
  zones: MapZone[];
  tiles: Record<string, Tile>;
}

export function fromQuery(data: PcMapQuery["pcMap"]): MapState {
  const tiles: Record<string, Tile> = {};
  const zones = data.zones.map((zone) => ({
    zoneId: zone.zoneId ?? null,
    name: zone.name,
    pcIds: zone.pcs.map((pc) => {
      tiles[pc.resource.id] = {
        resource: pc.resource,
        session: pc.session ?? null,
        clientName: pc.clientName ?? null,
        costSoFar: pc.costSoFar ?? null,
      };
      return pc.resource.id;
    }),
  }));
  return { zones, tiles };
}

/** Folds a resourceStatusChanged message in; resources not on the map are ignored. */
export function applyResources(state: MapState, resources: readonly MapResourceFragment[], removedIds: readonly string[]): MapState {
  let tiles = state.tiles;
  for (const resource of resources) {
    const tile = tiles[resource.id];
    if (!tile) continue;
    if (tile.resource.status === resource.status && tile.resource.notes === resource.notes && tile.resource.name === resource.name) continue;
    if (tiles === state.tiles) tiles = { ...tiles };
    tiles[resource.id] = { ...tile, resource: { ...tile.resource, ...resource } };
  }
  if (removedIds.length === 0 && tiles === state.tiles) return state;
  const removed = new Set(removedIds);
  const zones = removed.size ? state.zones.map((z) => ({ ...z, pcIds: z.pcIds.filter((id) => !removed.has(id)) })) : state.zones;
  return { zones, tiles };
}

/** Folds a sessionEvents message in. */
export function applySessions(state: MapState, kind: SessionEventKind, sessions: readonly MapSessionFragment[]): MapState {
  const tiles = { ...state.tiles };
  if (kind === "SNAPSHOT") {
    const byResource = new Map(sessions.map((s) => [s.resourceId, s]));
    for (const [id, tile] of Object.entries(tiles)) {
      const session = byResource.get(id) ?? null;
      if (session?.id !== tile.session?.id || session?.endsAt !== tile.session?.endsAt) {
        tiles[id] = { ...tile, session, clientName: session && session.id === tile.session?.id ? tile.clientName : null };
      }
    }
    return { ...state, tiles };
  }
  for (const session of sessions) {
    // Wherever it was before (a move), it is not there any more.
    for (const [id, tile] of Object.entries(tiles)) {
      if (tile.session?.id === session.id && id !== session.resourceId) tiles[id] = { ...tile, session: null, clientName: null, costSoFar: null };
    }
    const tile = tiles[session.resourceId];
    if (!tile) continue;
    if (kind === "ENDED" || session.status === "FINISHED") {
      if (tile.session?.id === session.id) tiles[session.resourceId] = { ...tile, session: null, clientName: null, costSoFar: null };
    } else {
      const same = tile.session?.id === session.id;
      tiles[session.resourceId] = { ...tile, session, clientName: same ? tile.clientName : null, costSoFar: same ? tile.costSoFar : null };
    }
  }
  return { ...state, tiles };
}

/** Minutes of prepaid time left at `now`, or null for an open session. */
export function minutesLeft(session: MapSessionFragment | null, now: number): number | null {
  if (!session?.endsAt) return null;
  return Math.max(0, Math.ceil((new Date(session.endsAt).getTime() - now) / 60_000));
}

export function counts(state: MapState): Record<string, number> {
  const out: Record<string, number> = { FREE: 0, BUSY: 0, BOOKED: 0, OUT_OF_ORDER: 0 };
  for (const tile of Object.values(state.tiles)) out[tile.resource.status] = (out[tile.resource.status] ?? 0) + 1;
  return out;
}
