import type { Key } from "../lib/i18n";
import type { MenuItem } from "../auth/permissions";

export interface NavItem extends MenuItem {
  label: Key;
}

/** Every screen and the root field it needs; the menu shows those the role may call. */
export const NAV: readonly NavItem[] = [
  { path: "/", label: "navToday", needs: "Query.pcMap" },
  { path: "/map", label: "navMap", needs: "Query.pcMap" },
  { path: "/bookings", label: "navBookings", needs: "Query.pcBookings" },
  { path: "/clients", label: "navClients", needs: "Query.clients" },
  { path: "/shift", label: "navShift", needs: "Query.currentShift" },
  { path: "/reports", label: "navReports", needs: "Query.clubReport" },
  { path: "/notifications", label: "navNotifications", needs: "Query.notifications" },
  { path: "/automations", label: "navAutomations", needs: "Query.automationRules" },
  // Owners and admins manage staff; managers shape the venue, its tariffs and promotions.
  { path: "/admin", label: "navAdmin", needs: ["Query.users", "Mutation.updateZone", "Mutation.updateTariff"] },
];
