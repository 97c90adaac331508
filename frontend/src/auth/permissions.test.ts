import { describe, expect, it } from "vitest";
import { NAV } from "../app/menu";
import { can, menuFor, permissionSet } from "./permissions";

// Permission lists as `me { permissions }` answers them for two roles.
const operator = permissionSet(["Query.me", "Query.pcMap", "Query.pcBookings", "Query.clients", "Query.currentShift", "Mutation.startSession", "Mutation.depositToWallet"]);
const viewer = permissionSet(["Query.me", "Query.pcMap", "Query.pcBookings", "Query.clients", "Query.currentShift", "Query.clubReport"]);

describe("the menu follows the server's permissions", () => {
  it("offers an operator the front desk but not the reports", () => {
    expect(menuFor(NAV, operator).map((i) => i.path)).toEqual(["/", "/map", "/bookings", "/clients", "/shift"]);
  });
  it("offers a viewer the reports and no money actions", () => {
    expect(menuFor(NAV, viewer).map((i) => i.path)).toContain("/reports");
    expect(can(viewer, "Mutation.depositToWallet")).toBe(false);
    expect(can(viewer, "Mutation.startSession")).toBe(false);
  });
  it("offers a manager the admin screen for the venue, without staff accounts", () => {
    const manager = permissionSet(["Query.me", "Query.pcMap", "Mutation.updateZone", "Mutation.updateTariff"]);
    expect(menuFor(NAV, manager).map((i) => i.path)).toContain("/admin");
    expect(can(manager, "Query.users")).toBe(false);
  });
  it("offers nothing without permissions", () => {
    expect(menuFor(NAV, permissionSet(null))).toEqual([]);
  });
});
