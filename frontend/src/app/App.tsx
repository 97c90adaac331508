import { lazy, Suspense, useEffect, useMemo, useState, useSyncExternalStore } from "react";
import { useQuery } from "urql";
import { VenueDocument } from "@clubgrid/client";
import { permissionSet, menuFor } from "../auth/permissions";
import { session } from "../auth/session";
import { LangSwitch, SignIn } from "../auth/SignIn";
import { describeError } from "../lib/errors";
import { useI18n } from "../lib/i18n";
import { ErrorBox, Loading } from "../ui/ui";
import { AppProvider } from "./context";
import type { AppContext, VenueLocation } from "./context";
import { NAV } from "./menu";
import { Link, usePath } from "./router";
import { TodayPage } from "../club/TodayPage";
import { PcMapPage } from "../club/PcMapPage";

const BookingsPage = lazy(() => import("../club/BookingsPage"));
const ClientsPage = lazy(() => import("../clients/ClientsPage"));
const ShiftPage = lazy(() => import("../billing/ShiftPage"));
const ReportsPage = lazy(() => import("../reports/ReportsPage"));
const AdminPage = lazy(() => import("../admin/AdminPage"));
const NotificationsPage = lazy(() => import("../notify/NotificationsPage"));
const AutomationsPage = lazy(() => import("../automations/AutomationsPage"));

function useSession() {
  return useSyncExternalStore(
    (cb) => session.subscribe(cb),
    () => session.state,
  );
}

export function App() {
  const state = useSession();
  useEffect(() => {
    void session.resume();
  }, []);
  if (state.status === "loading") return <Loading />;
  if (!state.user) return <SignIn />;
  return (
    <>
      <SignedIn key={state.user.id} />
      {state.status === "expired" && <SignIn expired username={state.user.username} />}
    </>
  );
}

function SignedIn() {
  const { t, lang, setLang } = useI18n();
  const user = session.state.user;
  const [venue] = useQuery({ query: VenueDocument, requestPolicy: "cache-first" });
  const [locationId, setLocationId] = useState(() => localStorage.getItem("clubgrid.location") ?? "");
  const path = usePath();

  const ctx = useMemo<AppContext | null>(() => {
    const data = venue.data;
    if (!data || !user) return null;
    const locations: VenueLocation[] = data.locations.items;
    const location = locations.find((l) => l.id === locationId) ?? locations[0];
    if (!location) return null;
    return { user, permissions: permissionSet(user.permissions), currency: data.organisation.currency, locations, location };
  }, [venue.data, user, locationId]);

  if (venue.error && !venue.data) return <ErrorBox error={describeError(venue.error, lang)} />;
  if (!ctx) return <Loading />;
  const menu = menuFor(NAV, ctx.permissions);

  return (
    <AppProvider value={ctx}>
      <div className="flex min-h-screen flex-col">
        <header className="flex flex-wrap items-center gap-3 border-b border-slate-800 bg-slate-900 px-4 py-2 text-white">
          <span className="text-lg font-bold tracking-tight">clubgrid</span>
          {ctx.locations.length > 1 ? (
            <label className="flex items-center gap-2 text-sm">
              <span className="sr-only">{t("location")}</span>
              <select
                aria-label={t("location")}
                value={ctx.location.id}
                onChange={(e) => {
                  localStorage.setItem("clubgrid.location", e.target.value);
                  setLocationId(e.target.value);
                }}
                className="rounded bg-slate-800 px-2 py-1 text-sm text-white"
              >
                {ctx.locations.map((l) => (
                  <option key={l.id} value={l.id}>
                    {l.name}
                  </option>
                ))}
              </select>
            </label>
          ) : (
            <span className="text-sm text-slate-300">{ctx.location.name}</span>
          )}
          <span className="text-xs text-slate-400">{ctx.location.timezone}</span>
          <div className="ml-auto flex items-center gap-3">
            <span className="text-sm" data-testid="whoami">
              {ctx.user.displayName} <span className="text-slate-400">· {ctx.user.role.toLowerCase()}</span>
            </span>
            <LangSwitch lang={lang} setLang={setLang} />
            <button type="button" onClick={() => void session.logout()} className="rounded bg-slate-700 px-2 py-1 text-sm hover:bg-slate-600">
              {t("signOut")}
            </button>
          </div>
        </header>
        <div className="flex flex-1 flex-col lg:flex-row">
          <nav aria-label="menu" className="flex gap-1 overflow-x-auto border-b border-slate-200 bg-white p-2 lg:w-48 lg:shrink-0 lg:flex-col lg:border-r lg:border-b-0">
            {menu.map((item) => {
              const active = item.path === "/" ? path === "/" : path.startsWith(item.path);
              return (
                <Link key={item.path} href={item.path} aria-current={active ? "page" : undefined} className={`whitespace-nowrap rounded-md px-3 py-2 text-sm ${active ? "bg-sky-100 font-semibold text-sky-900" : "text-slate-700 hover:bg-slate-100"}`}>
                  {t(item.label)}
                </Link>
              );
            })}
            <a href="/graphiql" className="whitespace-nowrap rounded-md px-3 py-2 text-sm text-slate-500 hover:bg-slate-100 lg:mt-auto">
              {t("navGraphiql")}
            </a>
          </nav>
          <main className="min-w-0 flex-1 p-3 lg:p-4">
            <Suspense fallback={<Loading />}>
              <Screen path={path} allowed={new Set(menu.map((m) => m.path))} />
            </Suspense>
          </main>
        </div>
      </div>
    </AppProvider>
  );
}

function Screen({ path, allowed }: { path: string; allowed: Set<string> }) {
  const { t } = useI18n();
  const root = `/${path.split("/")[1] ?? ""}`;
  if (!allowed.has(root)) return <p className="p-4 text-slate-600">{t("notAllowed")}</p>;
  switch (root) {
    case "/":
      return <TodayPage />;
    case "/map":
      return <PcMapPage />;
    case "/bookings":
      return <BookingsPage />;
    case "/clients":
      return <ClientsPage clientId={path.split("/")[2]} />;
    case "/shift":
      return <ShiftPage />;
    case "/reports":
      return <ReportsPage />;
    case "/admin":
      return <AdminPage />;
    case "/notifications":
      return <NotificationsPage />;
    case "/automations":
      return <AutomationsPage />;
    default:
      return <p className="p-4 text-slate-600">404</p>;
  }
}
