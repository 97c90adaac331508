// The clubgrid TypeScript client: typed documents generated from schema.graphql and the
// app's operations (./gql), urql for queries and mutations, graphql-ws for subscriptions.
import { Client, cacheExchange, fetchExchange, subscriptionExchange } from "@urql/core";
import type { CombinedError } from "@urql/core";
import { createClient as createWsClient } from "graphql-ws";
import type { Client as WsClient } from "graphql-ws";

export * from "./gql/graphql";
export { graphql } from "./gql/gql";

export interface ClubgridClientOptions {
  /** `/graphql` on the app's origin, or an absolute URL. */
  url?: string;
  /** The WebSocket URL; derived from `url` when absent. */
  wsUrl?: string;
  /** The current access token, if signed in. */
  token: () => string | null;
  /** Called before a request whose token may have expired; resolves to a fresh token. */
  fetch?: typeof fetch;
}

export interface ClubgridClient {
  urql: Client;
  ws: WsClient;
  /** Drops the WebSocket so the next subscription reconnects with the current token. */
  reconnect: () => void;
}

export function wsUrlFor(url: string, origin: string): string {
  const absolute = new URL(url, origin);
  absolute.protocol = absolute.protocol === "https:" ? "wss:" : "ws:";
  return absolute.toString();
}

export function createClubgridClient(options: ClubgridClientOptions): ClubgridClient {
  const url = options.url ?? "/graphql";
  const origin = typeof location === "undefined" ? "http://127.0.0.1" : location.origin;
  const ws = createWsClient({
    url: options.wsUrl ?? wsUrlFor(url, origin),
    lazy: true,
    retryAttempts: Infinity,
    shouldRetry: () => true,
    retryWait: async (retries) => {
      await new Promise((resolve) => setTimeout(resolve, Math.min(500 * 2 ** retries, 10_000)));
    },
    connectionParams: () => {
      const token = options.token();
      return token ? { authorization: `Bearer ${token}` } : {};
    },
  });
  const urql = new Client({
    url,
    preferGetMethod: false,
    requestPolicy: "cache-and-network",
    fetch: options.fetch,
    fetchOptions: () => {
      const token = options.token();
      const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
      return { headers };
    },
    exchanges: [
      cacheExchange,
      fetchExchange,
      subscriptionExchange({
        enableAllOperations: false,
        forwardSubscription(request) {
          const input = { ...request, query: request.query ?? "" };
          return {
            subscribe(sink) {
              const unsubscribe = ws.subscribe(input, sink);
              return { unsubscribe };
            },
          };
        },
      }),
    ],
  });
  return {
    urql,
    ws,
    reconnect: () => ws.terminate(),
  };
}

/** The `extensions.code` of the first GraphQL error, e.g. `VALIDATION`. */
export function errorCode(error: CombinedError | undefined | null): string | undefined {
  const code = error?.graphQLErrors[0]?.extensions?.["code"];
  return typeof code === "string" ? code : undefined;
}
