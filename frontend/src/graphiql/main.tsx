// GraphiQL from the pinned npm package, served by the binary at /graphiql. It signs in with
// the app's session where one exists (the refresh token this browser keeps), so the explorer
// runs as the signed-in user without pasting a token.
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { GraphiQL } from "graphiql";
import { createGraphiQLFetcher } from "@graphiql/toolkit";
import "graphiql/style.css";
import { session } from "../auth/session";
import { wsUrlFor } from "@clubgrid/client";

const fetcher = createGraphiQLFetcher({
  url: "/graphql",
  subscriptionUrl: wsUrlFor("/graphql", location.origin),
  fetch: async (input, init) => {
    const headers = new Headers(init?.headers);
    const token = session.token();
    if (token && !headers.has("authorization")) headers.set("authorization", `Bearer ${token}`);
    return fetch(input, { ...init, headers });
  },
  wsConnectionParams: () => {
    const token = session.token();
    return token ? { authorization: `Bearer ${token}` } : {};
  },
});

const defaultQuery = `# Signed in with the dashboard's session, if this browser has one.
{
  me { username role }
  locations { items { id name timezone } }
}
`;

void session.resume().finally(() => {
  const root = document.getElementById("graphiql");
  if (root) {
    createRoot(root).render(
      <StrictMode>
        <GraphiQL fetcher={fetcher} defaultQuery={defaultQuery} />
      </StrictMode>,
    );
  }
});
