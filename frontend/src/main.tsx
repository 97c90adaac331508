import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { Provider } from "urql";
import { api } from "./app/client";
import { App } from "./app/App";
import { I18nProvider } from "./lib/i18n";
import "./index.css";

const root = document.getElementById("root");
if (root) {
  createRoot(root).render(
    <StrictMode>
      <Provider value={api.urql}>
        <I18nProvider>
          <App />
        </I18nProvider>
      </Provider>
    </StrictMode>,
  );
}
