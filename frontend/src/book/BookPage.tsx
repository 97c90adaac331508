// The public page of one location, `/book/<slug>[/party|/code|/me]`: booking, a party
// request (laser-tag venues), a booking by its code, and the client's cabinet.
import { useEffect, useState } from "react";
import { useQuery } from "urql";
import { BookLocationDocument, BookLocationsDocument } from "@clubgrid/client";
import { BookingFlow } from "./BookingFlow";
import { Cabinet, useTelegramSignIn } from "./Cabinet";
import { ManageBooking } from "./ManageBooking";
import { PartyRequest } from "./PartyRequest";
import type { Key } from "./text";
import { setLang, useLang, useText } from "./text";
import { ErrorNote, Panel } from "./ui";

type Tab = "book" | "party" | "code" | "me";

function parse(path: string): { slug: string; tab: Tab } {
  const [, , slug = "", tab = ""] = path.split("/");
  const known: Tab[] = ["party", "code", "me"];
  return { slug: decodeURIComponent(slug), tab: (known as string[]).includes(tab) ? (tab as Tab) : "book" };
}

function usePath(): [string, (path: string) => void] {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => {
    const update = () => setPath(location.pathname);
    addEventListener("popstate", update);
    return () => removeEventListener("popstate", update);
  }, []);
  const go = (next: string) => {
    // The hash carries Telegram's launch data: keep it.
    history.pushState(null, "", next + location.search + location.hash);
    setPath(next);
  };
  return [path, go];
}

export function BookPage() {
  const [path, go] = usePath();
  const { slug, tab } = parse(path);
  return slug ? <LocationPage slug={slug} tab={tab} go={go} /> : <Chooser go={go} />;
}

/** `/book/`: the organisation's locations, each with its own page. */
function Chooser({ go }: { go: (path: string) => void }) {
  const t = useText();
  const lang = useLang();
  const [res] = useQuery({ query: BookLocationsDocument });
  return (
    <div className="mx-auto flex min-h-screen max-w-xl flex-col gap-3 p-3">
      <header className="flex items-start justify-between gap-3 pt-1">
        <h1 className="text-xl font-bold">{t("book")}</h1>
        <button type="button" className="min-h-11 rounded-lg px-3 text-sm text-sky-800 underline" onClick={() => setLang(lang === "ru" ? "en" : "ru")}>
          {t("language")}
        </button>
      </header>
      <ErrorNote error={res.error} />
      <ul className="flex flex-col gap-2">
        {(res.data?.publicLocations ?? []).map((l) => (
          <li key={l.id}>
            <a href={`/book/${l.slug}`} onClick={(e) => { e.preventDefault(); go(`/book/${l.slug}`); }} className="block rounded-xl bg-white p-4 shadow-sm hover:bg-sky-50">
              <span className="block font-semibold">{l.name}</span>
              <span className="block text-sm text-slate-600">{l.address}</span>
            </a>
          </li>
        ))}
      </ul>
    </div>
  );
}

function LocationPage({ slug, tab, go }: { slug: string; tab: Tab; go: (path: string) => void }) {
  const t = useText();
  const lang = useLang();
  const [res] = useQuery({ query: BookLocationDocument, variables: { slug } });
  const place = res.data?.publicLocation;
  const code = new URLSearchParams(location.search).get("code") ?? "";
  const telegram = useTelegramSignIn();

  useEffect(() => {
    if (place) document.title = `${place.name} — ${t("book")}`;
  }, [place, t]);

  const tabs: [Tab, Key][] = [];
  if (place?.offersAppointments) tabs.push(["book", "book"]);
  if (place && place.partyAreas.length > 0) tabs.push(["party", "party"]);
  if (place?.offersAppointments) tabs.push(["code", "myBooking"]);
  tabs.push(["me", "cabinet"]);
  const shown: Tab = tab === "book" && place && !place.offersAppointments ? (place.partyAreas.length > 0 ? "party" : "me") : tab;

  return (
    <div className="mx-auto flex min-h-screen max-w-xl flex-col gap-3 p-3 pb-10">
      <header className="flex items-start justify-between gap-3 pt-1">
        <div>
          <p className="text-xs uppercase tracking-wide text-slate-500">{place?.organisationName ?? "clubgrid"}</p>
          <h1 className="text-xl font-bold leading-tight">{place?.name ?? (res.fetching ? t("loading") : t("notFound"))}</h1>
          {place && <p className="text-sm text-slate-600">{place.address}</p>}
        </div>
        <button type="button" className="min-h-11 shrink-0 rounded-lg px-3 text-sm text-sky-800 underline" onClick={() => setLang(lang === "ru" ? "en" : "ru")}>
          {t("language")}
        </button>
      </header>
      {res.error && <ErrorNote error={res.error} />}
      {place && (
        <>
          <nav className="grid auto-cols-fr grid-flow-col gap-1 rounded-xl bg-white p-1 shadow-sm" aria-label="sections">
            {tabs.map(([id, label]) => (
              <a
                key={id}
                href={`/book/${place.slug}${id === "book" ? "" : `/${id}`}`}
                aria-current={shown === id ? "page" : undefined}
                onClick={(e) => {
                  e.preventDefault();
                  go(`/book/${place.slug}${id === "book" ? "" : `/${id}`}`);
                }}
                className="flex min-h-11 items-center justify-center rounded-lg px-2 text-center text-sm font-medium text-slate-700 aria-[current=page]:bg-sky-700 aria-[current=page]:text-white"
              >
                {t(label)}
              </a>
            ))}
          </nav>
          {shown === "book" && <BookingFlow location={place} />}
          {shown === "party" && <PartyRequest location={place} />}
          {shown === "code" && <ManageBooking location={place} initialCode={code} />}
          {shown === "me" && <Cabinet location={place} telegram={telegram} />}
        </>
      )}
      {!place && !res.fetching && !res.error && <Panel><p>{t("notFound")}</p></Panel>}
    </div>
  );
}
