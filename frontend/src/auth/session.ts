// The sign-in: the access token lives only in memory; the refresh token is kept in
// localStorage so a reload (or GraphiQL on the same origin) can resume the sign-in. Each
// refresh rotates it; tabs take turns through a Web Lock so two never spend the same token
// (the server treats a spent token's reuse as theft and ends the whole sign-in).
import { LoginDocument, LogoutDocument, RefreshTokenDocument } from "@clubgrid/client";
import type { SignedInUserFragment } from "@clubgrid/client";
import { print } from "graphql";
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";

export type SessionStatus = "loading" | "anonymous" | "signed-in" | "expired";

export interface SessionState {
  status: SessionStatus;
  user: SignedInUserFragment | null;
}

const REFRESH_KEY = "clubgrid.refreshToken";
const LOCK = "clubgrid.refresh";

export class GraphQLFailure extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
    readonly field: string | undefined,
  ) {
    super(message);
  }
}

interface Payload {
  accessToken: string;
  accessTokenExpiresAt: string;
  refreshToken: string;
  user: SignedInUserFragment;
}

/** Posts one operation without urql: sign-in must work before the client has a token. */
export async function post<R, V>(document: TypedDocumentNode<R, V>, variables: V, token?: string | null): Promise<R> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (token) headers["authorization"] = `Bearer ${token}`;
  const response = await fetch("/graphql", {
    method: "POST",
    headers,
    body: JSON.stringify({ query: print(document), variables }),
  });
  const body = (await response.json()) as {
    data?: R;
    errors?: { message: string; extensions?: { code?: string; field?: string } }[];
  };
  const first = body.errors?.[0];
  if (first || !body.data) {
    throw new GraphQLFailure(first?.message ?? `HTTP ${response.status}`, first?.extensions?.code, first?.extensions?.field);
  }
  return body.data;
}

type Listener = (state: SessionState) => void;

export class Session {
  private accessToken: string | null = null;
  private expiresAt = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private listeners = new Set<Listener>();
  private refreshing: Promise<boolean> | null = null;
  state: SessionState = { status: "loading", user: null };

  constructor(private readonly storage: Storage | null = typeof localStorage === "undefined" ? null : localStorage) {}

  token(): string | null {
    return this.accessToken;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private set(state: SessionState) {
    this.state = state;
    for (const l of this.listeners) l(state);
  }

  private accept(payload: Payload) {
    this.accessToken = payload.accessToken;
    this.expiresAt = new Date(payload.accessTokenExpiresAt).getTime();
    this.storage?.setItem(REFRESH_KEY, payload.refreshToken);
    clearTimeout(this.timer);
    // Refresh a minute before the access token runs out.
    const wait = Math.max(5_000, this.expiresAt - Date.now() - 60_000);
    this.timer = setTimeout(() => void this.refresh(), wait);
    this.set({ status: "signed-in", user: payload.user });
  }

  /** On start: resume a sign-in kept by this browser, if any. */
  async resume(): Promise<void> {
    if (!this.storage?.getItem(REFRESH_KEY)) {
      this.set({ status: "anonymous", user: null });
      return;
    }
    if (!(await this.refresh())) this.set({ status: "anonymous", user: null });
  }

  async login(username: string, password: string): Promise<void> {
    const data = await post(LoginDocument, { username, password });
    this.accept(data.login);
  }

  /** Exchanges the refresh token for a new pair; false (and `expired`) when it is no good. */
  refresh(): Promise<boolean> {
    if (!this.refreshing) {
      this.refreshing = this.withLock(async () => {
        const token = this.storage?.getItem(REFRESH_KEY);
        if (!token) return false;
        try {
          const data = await post(RefreshTokenDocument, { refreshToken: token });
          this.accept(data.refreshToken);
          return true;
        } catch (err) {
          if (err instanceof GraphQLFailure) {
            this.storage?.removeItem(REFRESH_KEY);
          }
          return false;
        }
      }).finally(() => {
        this.refreshing = null;
      });
      void this.refreshing.then((ok) => {
        if (!ok && this.state.status === "signed-in") this.expire();
      });
    }
    return this.refreshing;
  }

  /** The server said the token is no good: keep the screen, ask to sign in again. */
  expire() {
    this.accessToken = null;
    clearTimeout(this.timer);
    this.set({ status: "expired", user: this.state.user });
  }

  async logout(): Promise<void> {
    const refreshToken = this.storage?.getItem(REFRESH_KEY) ?? null;
    try {
      if (this.accessToken) await post(LogoutDocument, { refreshToken }, this.accessToken);
    } catch {
      // Signing out locally is what matters; the server forgets the tokens on expiry.
    }
    this.storage?.removeItem(REFRESH_KEY);
    this.accessToken = null;
    clearTimeout(this.timer);
    this.set({ status: "anonymous", user: null });
  }

  private async withLock<T>(fn: () => Promise<T>): Promise<T> {
    const locks = typeof navigator !== "undefined" ? navigator.locks : undefined;
    if (locks) return locks.request(LOCK, fn);
    return fn();
  }
}

export const session = new Session();
