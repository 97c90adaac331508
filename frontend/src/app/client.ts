// The one data layer: the generated client, with the session's token and a single retry
// after a refresh when the server says the access token is no longer good.
import { createClubgridClient } from "@clubgrid/client";
import { session } from "../auth/session";
import { isUnauthenticated } from "../lib/errors";

async function authedFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const response = await fetch(input, init);
  if (!(await isUnauthenticated(response))) return response;
  if (await session.refresh()) {
    const headers = new Headers(init?.headers);
    const token = session.token();
    if (token) headers.set("authorization", `Bearer ${token}`);
    const retry = await fetch(input, { ...init, headers });
    if (!(await isUnauthenticated(retry))) return retry;
  }
  session.expire();
  return response;
}

export const api = createClubgridClient({ token: () => session.token(), fetch: authedFetch });

// A new access token (or a new user) means subscriptions reconnect with it.
let lastToken: string | null = null;
session.subscribe(() => {
  const token = session.token();
  if (token !== lastToken && lastToken !== null) api.reconnect();
  lastToken = token;
});
