import { describe, expect, it } from "vitest";
import type { MapResourceFragment, MapSessionFragment, PcMapQuery, ResourceStatus } from "@clubgrid/client";
import { applyResources, applySessions, counts, fromQuery, minutesLeft } from "./mapState";

const resource = (id: string, status: ResourceStatus = "FREE"): MapResourceFragment => ({ id, name: `PC-${id}`, status, zoneId: "1", notes: null, sortOrder: Number(id) });
const session = (id: string, resourceId: string, endsAt: string | null = "2026-11-30T20:00:00Z"): MapSessionFragment => ({
  id,
  kind: endsAt ? "PREPAID" : "OPEN",
  status: "ACTIVE",
  resourceId,
  clientId: null,
  guestName: "Гость",
  startedAt: "2026-11-30T18:00:00Z",
  endsAt,
  paid: "800",
  tariffId: "1",
});

const snapshot: PcMapQuery["pcMap"] = {
  at: "2026-11-30T18:00:00Z",
  locationId: "1",
  zones: [{ zoneId: "1", name: "Standard", pcs: ["1", "2", "3"].map((id) => ({ clientName: null, costSoFar: null, minutesLeft: null, resource: resource(id), session: null })) }],
};

describe("the live map", () => {
  it("turns a PC busy on a status change, leaves the rest untouched", () => {
    const state = fromQuery(snapshot);
    const next = applyResources(state, [{ ...resource("2"), status: "BUSY" }], []);
    expect(next.tiles["2"]?.resource.status).toBe("BUSY");
    expect(next.tiles["1"]).toBe(state.tiles["1"]);
    expect(counts(next)).toMatchObject({ FREE: 2, BUSY: 1 });
  });
  it("ignores resources that are not on the map and drops removed ones", () => {
    const state = fromQuery(snapshot);
    expect(applyResources(state, [resource("99", "BUSY")], [])).toBe(state);
    expect(applyResources(state, [], ["3"]).zones[0]?.pcIds).toEqual(["1", "2"]);
  });
  it("follows a session through start, move and end", () => {
    let state = fromQuery(snapshot);
    state = applySessions(state, "STARTED", [session("s1", "1")]);
    expect(state.tiles["1"]?.session?.id).toBe("s1");
    state = applySessions(state, "MOVED", [session("s1", "3")]);
    expect(state.tiles["1"]?.session).toBeNull();
    expect(state.tiles["3"]?.session?.id).toBe("s1");
    state = applySessions(state, "ENDED", [{ ...session("s1", "3"), status: "FINISHED" }]);
    expect(state.tiles["3"]?.session).toBeNull();
  });
  it("a snapshot replaces every session", () => {
    let state = applySessions(fromQuery(snapshot), "STARTED", [session("s1", "1")]);
    state = applySessions(state, "SNAPSHOT", [session("s2", "2")]);
    expect(state.tiles["1"]?.session).toBeNull();
    expect(state.tiles["2"]?.session?.id).toBe("s2");
  });
  it("counts prepaid minutes left; an open session has none", () => {
    expect(minutesLeft(session("s", "1"), Date.parse("2026-11-30T19:00:30Z"))).toBe(60);
    expect(minutesLeft(session("s", "1", null), Date.now())).toBeNull();
  });
});
