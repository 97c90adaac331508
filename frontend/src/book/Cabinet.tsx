// The client's cabinet: sign-in (inside Telegram with the Mini App's signed data, elsewhere
// with a one-time code), then their own bookings, wallet, packages, memberships and
// attendance, progress journal and programs. The API decides what is theirs.
import { useEffect, useState, useSyncExternalStore } from "react";
import { useMutation, useQuery } from "urql";
import {
  CabinetAcademyDocument,
  CabinetBookingsDocument,
  CabinetCancelAppointmentDocument,
  CabinetLogoutDocument,
  CabinetMeDocument,
  CabinetMiniAppSignInDocument,
  CabinetProgressDocument,
  CabinetRequestCodeDocument,
  CabinetSignInWithCodeDocument,
  CabinetWalletDocument,
} from "@clubgrid/client";
import type { BookLocationQuery, CabinetRequestCodeMutation } from "@clubgrid/client";
import type { CombinedError } from "@urql/core";
import { formatMoney } from "../lib/money";
import { formatDate, formatDateTime } from "../lib/time";
import { LineChart } from "./Chart";
import { PushToggle } from "./push";
import { cabinetSession } from "./session";
import type { Key } from "./text";
import { useLang, useText } from "./text";
import { Alert, Btn, ErrorNote, Field, Panel } from "./ui";

type Location = BookLocationQuery["publicLocation"];

interface TelegramWebApp {
  initData?: string;
  ready?: () => void;
  expand?: () => void;
  requestContact?: (callback: (ok: boolean, result?: { response?: string }) => void) => void;
}

/** The Mini App's signed launch data: from Telegram's script when loaded, else the URL. */
export function telegramInitData(): string | null {
  const app = (window as { Telegram?: { WebApp?: TelegramWebApp } }).Telegram?.WebApp;
  if (app?.initData) return app.initData;
  const hash = new URLSearchParams(location.hash.slice(1));
  return hash.get("tgWebAppData");
}

function telegramApp(): TelegramWebApp | undefined {
  return (window as { Telegram?: { WebApp?: TelegramWebApp } }).Telegram?.WebApp;
}

function useSignedIn(): boolean {
  return useSyncExternalStore(cabinetSession.subscribe, () => cabinetSession.token() !== null);
}

export function Cabinet({ location, telegram }: { location: Location; telegram: TelegramSignIn }) {
  const signedIn = useSignedIn();
  return signedIn ? <CabinetView location={location} /> : <SignIn telegram={telegram} />;
}

export interface TelegramSignIn {
  /** The Mini App's signed launch data, when the page runs inside Telegram. */
  initData: string | null;
  pending: boolean;
  /** Not linked yet: they must share their phone (or use a code). */
  needsPhone: boolean;
  error: CombinedError | null;
}

/** Inside Telegram: signs the client in at once with the signed launch data, on any tab. */
export function useTelegramSignIn(): TelegramSignIn {
  const initData = telegramInitData();
  const [state, setState] = useState<Omit<TelegramSignIn, "initData">>({ pending: Boolean(initData), needsPhone: false, error: null });
  const [, signInMiniApp] = useMutation(CabinetMiniAppSignInDocument);
  useEffect(() => {
    if (!initData || cabinetSession.token()) {
      setState((s) => ({ ...s, pending: false }));
      return;
    }
    telegramApp()?.ready?.();
    void signInMiniApp({ initData }).then((result) => {
      if (result.data) cabinetSession.set(result.data.miniAppSignIn);
      const needsPhone = result.error?.graphQLErrors[0]?.extensions?.["field"] === "contact";
      setState({ pending: false, needsPhone, error: needsPhone ? null : (result.error ?? null) });
    });
  }, [initData, signInMiniApp]);
  return { initData, ...state };
}

function SignIn({ telegram }: { telegram: TelegramSignIn }) {
  const t = useText();
  const { initData, needsPhone } = telegram;
  const [phone, setPhone] = useState("");
  const [code, setCode] = useState("");
  const [sent, setSent] = useState<CabinetRequestCodeMutation["requestSignInCode"] | null>(null);
  const [requested, requestCode] = useMutation(CabinetRequestCodeDocument);
  const [withCode, signInWithCode] = useMutation(CabinetSignInWithCodeDocument);
  const [miniApp, signInMiniApp] = useMutation(CabinetMiniAppSignInDocument);

  const shareContact = () => {
    telegramApp()?.requestContact?.((ok, result) => {
      if (!ok || !result?.response || !initData) return;
      void signInMiniApp({ initData, contact: result.response }).then((r) => {
        if (r.data) cabinetSession.set(r.data.miniAppSignIn);
      });
    });
  };

  const submitCode = async () => {
    const result = initData
      ? await signInMiniApp({ initData, phone, code }).then((r) => r.data?.miniAppSignIn)
      : await signInWithCode({ phone, code }).then((r) => r.data?.signInWithCode);
    if (result) cabinetSession.set(result);
  };

  if (telegram.pending) return <Panel><p>{t("telegramSigningIn")}</p></Panel>;

  return (
    <Panel title={t("signInTitle")}>
      {initData && telegramApp()?.requestContact && needsPhone && (
        <div className="mb-4">
          <Btn primary className="w-full" onClick={shareContact}>{t("sharePhone")}</Btn>
        </div>
      )}
      <p className="mb-3 text-sm text-slate-600">{t("signInHint")}</p>
      <form className="flex flex-col gap-3" onSubmit={(e) => { e.preventDefault(); void (sent ? submitCode() : requestCode({ phone }).then((r) => r.data && setSent(r.data.requestSignInCode))); }}>
        <Field label={t("phone")} type="tel" inputMode="tel" autoComplete="tel" value={phone} onChange={(e) => setPhone(e.target.value)} hint={t("phoneHint")} required />
        {sent && (
          <>
            <Alert tone="info">{t("codeSent", { where: sent.channels.map((c) => t(`where${c}` as Key)).join(", ") })}</Alert>
            <Field label={t("oneTimeCode")} inputMode="numeric" autoComplete="one-time-code" value={code} onChange={(e) => setCode(e.target.value)} required />
          </>
        )}
        <ErrorNote error={requested.error ?? withCode.error ?? miniApp.error ?? telegram.error} />
        <Btn primary type="submit" disabled={requested.fetching || withCode.fetching || miniApp.fetching}>{sent ? t("signIn") : t("sendCode")}</Btn>
      </form>
    </Panel>
  );
}

function CabinetView({ location }: { location: Location }) {
  const t = useText();
  const [me] = useQuery({ query: CabinetMeDocument });
  const [, logout] = useMutation(CabinetLogoutDocument);
  const client = me.data?.myClient;
  const student = me.data?.myStudent;
  if (me.error) {
    return (
      <Panel>
        <ErrorNote error={me.error} />
        <Btn className="mt-3" onClick={() => cabinetSession.set(null)}>{t("signOut")}</Btn>
      </Panel>
    );
  }
  if (!client) return <Panel><p>{t("loading")}</p></Panel>;
  return (
    <div className="flex flex-col gap-3" data-testid="cabinet">
      <Panel>
        <div className="flex items-center justify-between gap-2">
          <p className="text-lg font-semibold" data-testid="cabinet-name">{t("hello", { name: client.firstName })}</p>
          <Btn onClick={() => { const refreshToken = cabinetSession.tokens()?.refreshToken ?? null; void logout({ refreshToken }); cabinetSession.set(null); }}>{t("signOut")}</Btn>
        </div>
      </Panel>
      <Bookings location={location} />
      <Money clientId={client.id} />
      {student && <Academy studentId={student.id} beltName={student.belt?.name ?? null} stripes={student.stripes} />}
      <Progress clientId={client.id} />
      <PushToggle />
    </div>
  );
}

function Bookings({ location }: { location: Location }) {
  const t = useText();
  const lang = useLang();
  const [res, refetch] = useQuery({ query: CabinetBookingsDocument, requestPolicy: "cache-and-network" });
  const [cancelled, cancel] = useMutation(CabinetCancelAppointmentDocument);
  const now = Date.now();
  const items = res.data?.myAppointments.items ?? [];
  const upcoming = items.filter((a) => a.status === "BOOKED" && new Date(a.startsAt).getTime() > now);
  const past = items.filter((a) => !upcoming.includes(a)).reverse();
  return (
    <Panel title={t("upcoming")}>
      <ErrorNote error={res.error ?? cancelled.error} />
      {upcoming.length === 0 && <p className="text-slate-500">{t("noBookings")}</p>}
      <ul className="flex flex-col gap-2" data-testid="cabinet-upcoming">
        {upcoming.map((a) => (
          <li key={a.id} className="flex items-center justify-between gap-2 rounded-lg border border-slate-200 p-3">
            <span>
              <span className="block font-medium">{a.service?.name}</span>
              <span className="block">{formatDateTime(a.startsAt, location.timezone, lang)}</span>
              <span className="block text-sm text-slate-500">{t("code")} {a.code} · {formatMoney(a.price.total)}</span>
            </span>
            <Btn
              className="border-rose-300 text-rose-800"
              onClick={async () => {
                if (!confirm(t("cancelConfirm"))) return;
                const r = await cancel({ id: a.id });
                if (r.data) refetch({ requestPolicy: "network-only" });
              }}
            >
              {t("cancelBooking")}
            </Btn>
          </li>
        ))}
      </ul>
      {past.length > 0 && (
        <details className="mt-3">
          <summary className="cursor-pointer text-sm text-slate-600">{t("past")} ({past.length})</summary>
          <ul className="mt-2 flex flex-col gap-1 text-sm">
            {past.map((a) => (
              <li key={a.id}>{formatDateTime(a.startsAt, location.timezone, lang)} · {a.service?.name} · {t(`status${a.status}` as Key)}</li>
            ))}
          </ul>
        </details>
      )}
    </Panel>
  );
}

function Money({ clientId }: { clientId: string }) {
  const t = useText();
  const lang = useLang();
  const [res] = useQuery({ query: CabinetWalletDocument, variables: { clientId } });
  const wallet = res.data?.wallet;
  return (
    <Panel title={t("wallet")}>
      <ErrorNote error={res.error} />
      {wallet && (
        <p className="mb-2 text-2xl font-semibold" data-testid="wallet-balance">
          {formatMoney(wallet.balance)}
          {wallet.debt !== "0" && Number(wallet.debt) > 0 && <span className="ml-2 text-base text-rose-700">{t("debt")}: {formatMoney(wallet.debt)}</span>}
        </p>
      )}
      {(res.data?.walletEntries.items.length ?? 0) > 0 && (
        <details>
          <summary className="cursor-pointer text-sm text-slate-600">{t("history")}</summary>
          <ul className="mt-2 flex flex-col gap-1 text-sm">
            {res.data?.walletEntries.items.map((e) => (
              <li key={e.id} className="flex justify-between gap-2">
                <span>{formatDate(e.createdAt.slice(0, 10), lang)} · {e.reason ?? e.kind}</span>
                <span className={Number(e.amount) < 0 ? "text-rose-700" : "text-emerald-700"}>{formatMoney(e.amount)}</span>
              </li>
            ))}
          </ul>
        </details>
      )}
      {(res.data?.clientPackages.length ?? 0) > 0 && (
        <>
          <h3 className="mb-1 mt-3 font-medium">{t("packages")}</h3>
          <ul className="flex flex-col gap-1 text-sm" data-testid="cabinet-packages">
            {res.data?.clientPackages.map((p) => (
              <li key={p.id}>{t("visitsLeft", { n: p.visitsLeft, total: p.visitsTotal })} · {t("validUntil", { date: formatDate(p.validUntil.slice(0, 10), lang) })}</li>
            ))}
          </ul>
        </>
      )}
    </Panel>
  );
}

function Academy({ studentId, beltName, stripes }: { studentId: string; beltName: string | null; stripes: number }) {
  const t = useText();
  const lang = useLang();
  const [res] = useQuery({ query: CabinetAcademyDocument, variables: { studentId } });
  const marks = res.data?.studentAttendance ?? [];
  return (
    <Panel title={t("memberships")}>
      {beltName && <p className="mb-2">{beltName}{stripes > 0 ? ` · ${"▮".repeat(stripes)}` : ""}</p>}
      <ErrorNote error={res.error} />
      <ul className="mb-3 flex flex-col gap-1 text-sm" data-testid="cabinet-memberships">
        {(res.data?.memberships ?? []).map((m) => (
          <li key={m.id}>{m.plan?.name ?? "—"} · {formatDate(m.startsOn, lang)}–{formatDate(m.endsOn, lang)} · {t("daysLeft", { n: m.daysLeft })}</li>
        ))}
      </ul>
      <h3 className="mb-1 font-medium">{t("attendance")}</h3>
      {marks.length === 0 && <p className="text-sm text-slate-500">{t("nothingYet")}</p>}
      <ul className="flex flex-col gap-1 text-sm">
        {marks.slice(-10).reverse().map((a) => (
          <li key={a.id}>{a.session ? `${a.session.name}, ${formatDate(a.session.startsAt.slice(0, 10), lang)}` : ""} · {a.status === "ABSENT" ? t("absent") : t("attended")}</li>
        ))}
      </ul>
    </Panel>
  );
}

function Progress({ clientId }: { clientId: string }) {
  const t = useText();
  const lang = useLang();
  const [res] = useQuery({ query: CabinetProgressDocument, variables: { clientId } });
  const journal = res.data?.progressJournal;
  const programs = res.data?.clientPrograms ?? [];
  if (!journal && !res.error) return null;
  return (
    <Panel title={t("progress")}>
      <ErrorNote error={res.error} />
      {journal && journal.entries.length === 0 && <p className="text-sm text-slate-500">{t("nothingYet")}</p>}
      {journal && journal.weight.length > 0 && <LineChart points={journal.weight} label={t("weight")} lang={lang} />}
      {journal && journal.waist.length > 0 && <LineChart points={journal.waist} label={t("waist")} lang={lang} color="#b45309" />}
      <h3 className="mb-1 mt-3 font-medium">{t("programs")}</h3>
      {programs.length === 0 && <p className="text-sm text-slate-500">{t("nothingYet")}</p>}
      <ul className="flex flex-col gap-1 text-sm" data-testid="cabinet-programs">
        {programs.map((p) => (
          <li key={p.id}>
            <span className="font-medium">{p.program?.title}</span> · {p.paid ? t("paid") : t("unpaid")}
            {p.program?.description && <span className="block text-slate-500">{p.program.description}</span>}
          </li>
        ))}
      </ul>
    </Panel>
  );
}
