// The signed-in client's tokens, kept apart from the staff app's. An access token that the
// server no longer takes is swapped once for a new pair with the refresh token.
import { createClubgridClient } from "@clubgrid/client";

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

const REFRESH = `mutation CabinetRefreshRaw($refreshToken: String!) {
  refreshToken(refreshToken: $refreshToken) { accessToken accessTokenExpiresAt refreshToken refreshTokenExpiresAt }
}`;

let refreshing: Promise<boolean> | null = null;

async function refresh(): Promise<boolean> {
  const current = tokens;
  if (!current) return false;
  refreshing ??= (async () => {
    try {
      const res = await fetch("/graphql", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query: REFRESH, variables: { refreshToken: current.refreshToken } }),
      });
      const body = (await res.json()) as { data?: { refreshToken?: Tokens } };
      const next = body.data?.refreshToken;
      cabinetSession.set(next ?? null);
      return Boolean(next);
    } catch {
      return false;
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

async function unauthenticated(response: Response): Promise<boolean> {
  if (!response.headers.get("content-type")?.includes("json")) return false;
  try {
    const body = (await response.clone().json()) as { errors?: { extensions?: { code?: string } }[] };
    return body.errors?.some((e) => e.extensions?.code === "UNAUTHENTICATED") ?? false;
  } catch {
    return false;
  }
}

async function authedFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const response = await fetch(input, init);
  if (!tokens || !(await unauthenticated(response))) return response;
  if (await refresh()) {
    const headers = new Headers(init?.headers);
    headers.set("authorization", `Bearer ${cabinetSession.token() ?? ""}`);
    return fetch(input, { ...init, headers });
  }
  return response;
}

export const api = createClubgridClient({ token: () => cabinetSession.token(), fetch: authedFetch });
