// The signed-in client's tokens, kept apart from the staff app's. An access token that the
// server no longer takes is swapped once for a new pair with the refresh token.
import { CabinetRefreshDocument, createClubgridClient } from "@clubgrid/client";
import { GraphQLFailure, post } from "../auth/session";
import { isUnauthenticated } from "../lib/errors";

export interface Tokens {
  accessToken: string;
  accessTokenExpiresAt: string;
  refreshToken: string;
  refreshTokenExpiresAt: string;
}

const KEY = "clubgrid.cabinet";
const listeners = new Set<() => void>();

function load(): Tokens | null {
  try {
    const raw = localStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as Tokens) : null;
  } catch {
    return null;
  }
}

let tokens: Tokens | null = typeof localStorage === "undefined" ? null : load();

export const cabinetSession = {
  tokens: () => tokens,
  token: () => tokens?.accessToken ?? null,
  set(next: Tokens | null) {
    tokens = next;
    if (next) localStorage.setItem(KEY, JSON.stringify(next));
    else localStorage.removeItem(KEY);
    for (const l of listeners) l();
  },
  subscribe(listener: () => void) {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};

let refreshing: Promise<boolean> | null = null;

async function refresh(): Promise<boolean> {
  const current = tokens;
  if (!current) return false;
  refreshing ??= (async () => {
    try {
      const data = await post(CabinetRefreshDocument, { refreshToken: current.refreshToken });
      cabinetSession.set(data.refreshToken);
      return true;
    } catch (error) {
      // A refresh token the server refuses (spent or revoked) ends the session on this
      // device; a lost connection does not.
      if (error instanceof GraphQLFailure) cabinetSession.set(null);
      return false;
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

async function authedFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const response = await fetch(input, init);
  if (!tokens || !(await isUnauthenticated(response))) return response;
  if (await refresh()) {
    const headers = new Headers(init?.headers);
    headers.set("authorization", `Bearer ${cabinetSession.token() ?? ""}`);
    return fetch(input, { ...init, headers });
  }
  return response;
}

export const api = createClubgridClient({ token: () => cabinetSession.token(), fetch: authedFetch });
