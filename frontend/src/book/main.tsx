import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { Provider } from "urql";
import { BookPage } from "./BookPage";
import { api } from "./session";
import "../index.css";

const root = document.getElementById("root");
if (root) {
  createRoot(root).render(
    <StrictMode>
      <Provider value={api.urql}>
        <BookPage />
      </Provider>
    </StrictMode>,
  );
}

// The service worker keeps the page's files for a flaky connection and shows an offline
// page when there is none (see public/book/sw.js).
if ("serviceWorker" in navigator && location.protocol !== "file:") {
  addEventListener("load", () => {
    void navigator.serviceWorker.register("/book/sw.js", { scope: "/book/" }).catch(() => undefined);
  });
}
