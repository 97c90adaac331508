import { useState } from "react";
import { describeError } from "../lib/errors";
import type { ShownError } from "../lib/errors";
import { useI18n } from "../lib/i18n";
import { Button, ErrorBox, Field } from "../ui/ui";
import { session } from "./session";

/** The sign-in form: a page of its own, or over the screen when a session has expired. */
export function SignIn({ expired = false, username: knownUser = "" }: { expired?: boolean; username?: string }) {
  const { t, lang, setLang } = useI18n();
  const [username, setUsername] = useState(knownUser);
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ShownError | null>(null);

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await session.login(username.trim(), password);
    } catch (err) {
      setError(describeError(err as Error, lang));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className={expired ? "fixed inset-0 z-50 flex items-center justify-center bg-slate-900/50 p-4" : "flex min-h-screen items-center justify-center p-4"}>
      <form onSubmit={submit} aria-label={t("signInTitle")} className="flex w-full max-w-sm flex-col gap-3 rounded-lg bg-white p-6 shadow-lg">
        <div className="flex items-center justify-between">
          <h1 className="text-xl font-semibold">{t("signInTitle")}</h1>
          <LangSwitch lang={lang} setLang={setLang} />
        </div>
        {expired && <p className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-800">{t("sessionExpired")}</p>}
        <Field label={t("username")} name="username" autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} required autoFocus={!knownUser} />
        <Field label={t("password")} name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required autoFocus={!!knownUser} />
        <ErrorBox error={error} />
        <Button tone="primary" type="submit" disabled={busy} className="py-2">
          {busy ? t("signingIn") : t("doSignIn")}
        </Button>
      </form>
    </div>
  );
}

export function LangSwitch({ lang, setLang }: { lang: string; setLang: (l: "ru" | "en") => void }) {
  return (
    <div role="group" aria-label="Язык / Language" className="flex overflow-hidden rounded-md border border-slate-300 text-xs">
      {(["ru", "en"] as const).map((l) => (
        <button key={l} type="button" aria-pressed={lang === l} onClick={() => setLang(l)} className={`px-2 py-1 uppercase ${lang === l ? "bg-sky-600 font-semibold text-white" : "bg-white text-slate-700"}`}>
          {l}
        </button>
      ))}
    </div>
  );
}
