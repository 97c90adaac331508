import { createContext, useContext } from "react";
import type { SignedInUserFragment } from "@clubgrid/client";
import type { Permissions } from "../auth/permissions";

export interface VenueLocation {
  id: string;
  name: string;
  timezone: string;
}

export interface AppContext {
  user: SignedInUserFragment;
  permissions: Permissions;
  currency: string;
  locations: VenueLocation[];
  location: VenueLocation;
}

const Ctx = createContext<AppContext | null>(null);
export const AppProvider = Ctx.Provider;

export function useApp(): AppContext {
  const ctx = useContext(Ctx);
  if (!ctx) throw new Error("useApp outside AppProvider");
  return ctx;
}

/** Whether the signed-in role may call this root field (from the server's policy table). */
export function useCan(): (field: string) => boolean {
  const { permissions } = useApp();
  return (field) => permissions.has(field);
}
