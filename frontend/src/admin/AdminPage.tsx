import { useState } from "react";
import { useMutation, useQuery } from "urql";
import { AdminApiKeysDocument, AdminUsersDocument, CreateApiKeyDocument, CreateUserDocument, RevokeApiKeyDocument, SetUserActiveDocument, TariffsDocument } from "@clubgrid/client";
import type { Role } from "@clubgrid/client";
import { useApp, useCan } from "../app/context";
import { describeError } from "../lib/errors";
import { useI18n } from "../lib/i18n";
import { formatMoney } from "../lib/money";
import { formatDateTime } from "../lib/time";
import { Button, Card, ErrorBox, Field, Loading, Select } from "../ui/ui";

const ROLES: Role[] = ["OWNER", "ADMIN", "MANAGER", "OPERATOR", "TECH", "TRAINER", "READ_ONLY"];

/** Staff accounts, API keys (the secret shown once) and the location's tariffs. */
export default function AdminPage() {
  const { t } = useI18n();
  const can = useCan();
  return (
    <div className="flex flex-col gap-3">
      <h1 className="text-xl font-semibold">{t("navAdmin")}</h1>
      {can("Query.users") && <Users />}
      {can("Query.apiKeys") && <ApiKeys />}
      {can("Query.tariffs") && <Tariffs />}
    </div>
  );
}

function Users() {
  const { t, lang } = useI18n();
  const [list, refetch] = useQuery({ query: AdminUsersDocument });
  const [created, create] = useMutation(CreateUserDocument);
  const [toggled, toggle] = useMutation(SetUserActiveDocument);
  const [form, setForm] = useState({ username: "", displayName: "", password: "", role: "OPERATOR" as Role });
  const error = describeError(created.error ?? toggled.error ?? list.error, lang);
  async function submit(e: React.FormEvent) {
    e.preventDefault();
    const res = await create({ input: { ...form, displayName: form.displayName || null } });
    if (res.data) {
      setForm({ username: "", displayName: "", password: "", role: "OPERATOR" });
      refetch({ requestPolicy: "network-only" });
    }
  }
  return (
    <Card title={t("users")}>
      {!list.data ? (
        <Loading />
      ) : (
        <table className="mb-3 w-full text-sm">
          <tbody>
            {list.data.users.items.map((u) => (
              <tr key={u.id} className={`border-b border-slate-100 ${u.active ? "" : "text-slate-400"}`}>
                <td className="py-1.5 font-mono">{u.username}</td>
                <td className="py-1.5">{u.displayName}</td>
                <td className="py-1.5">{u.role.toLowerCase()}</td>
                <td className="py-1.5 text-right">
                  <Button className="px-2 py-0.5 text-xs" onClick={() => void toggle({ id: u.id, active: !u.active })}>
                    {u.active ? t("deactivate") : t("activate")}
                  </Button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form onSubmit={submit} className="flex flex-wrap items-end gap-2">
        <Field label={t("username")} value={form.username} onChange={(e) => setForm({ ...form, username: e.target.value })} apiField="username" error={error} required />
        <Field label={t("displayName")} value={form.displayName} onChange={(e) => setForm({ ...form, displayName: e.target.value })} />
        <Field label={t("password")} type="password" autoComplete="new-password" value={form.password} onChange={(e) => setForm({ ...form, password: e.target.value })} apiField="password" error={error} required />
        <Select label={t("role")} value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value as Role })}>
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {r.toLowerCase()}
            </option>
          ))}
        </Select>
        <Button tone="primary" type="submit" disabled={created.fetching}>
          {t("add")}
        </Button>
      </form>
      <div className="mt-2">
        <ErrorBox error={error} />
      </div>
    </Card>
  );
}

function ApiKeys() {
  const { t, lang } = useI18n();
  const { location } = useApp();
  const [list, refetch] = useQuery({ query: AdminApiKeysDocument });
  const [created, create] = useMutation(CreateApiKeyDocument);
  const [revoked, revoke] = useMutation(RevokeApiKeyDocument);
  const [name, setName] = useState("");
  const [secret, setSecret] = useState<string | null>(null);
  const error = describeError(created.error ?? revoked.error ?? list.error, lang);
  async function submit(e: React.FormEvent) {
    e.preventDefault();
    const res = await create({ name, role: "INTEGRATION" });
    if (res.data) {
      setSecret(res.data.createApiKey.secret);
      setName("");
      refetch({ requestPolicy: "network-only" });
    }
  }
  return (
    <Card title={t("apiKeys")}>
      {secret && (
        <div role="status" className="mb-3 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm">
          <p className="font-medium">{t("shownOnce")}</p>
          <code className="mt-1 block break-all rounded bg-white px-2 py-1">{secret}</code>
        </div>
      )}
      {list.data && (
        <table className="mb-3 w-full text-sm">
          <tbody>
            {list.data.apiKeys.items.map((k) => (
              <tr key={k.id} className={`border-b border-slate-100 ${k.revokedAt ? "text-slate-400 line-through" : ""}`}>
                <td className="py-1.5">{k.name}</td>
                <td className="py-1.5 font-mono">{k.prefix}…</td>
                <td className="py-1.5">{formatDateTime(k.createdAt, location.timezone, lang)}</td>
                <td className="py-1.5 text-right">
                  {!k.revokedAt && (
                    <Button tone="danger" className="px-2 py-0.5 text-xs" onClick={() => void revoke({ id: k.id }).then(() => refetch({ requestPolicy: "network-only" }))}>
                      {t("revoke")}
                    </Button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form onSubmit={submit} className="flex flex-wrap items-end gap-2">
        <Field label={t("keyName")} value={name} onChange={(e) => setName(e.target.value)} apiField="name" error={error} required />
        <Button tone="primary" type="submit" disabled={created.fetching}>
          {t("add")}
        </Button>
      </form>
      <div className="mt-2">
        <ErrorBox error={error} />
      </div>
    </Card>
  );
}

function Tariffs() {
  const { t, lang } = useI18n();
  const { location, currency } = useApp();
  const [list] = useQuery({ query: TariffsDocument, variables: { locationId: location.id, zoneId: null } });
  return (
    <Card title={t("tariffs")}>
      <ErrorBox error={describeError(list.error, lang)} />
      {!list.data ? (
        <Loading />
      ) : (
        <div className="grid gap-3 md:grid-cols-2">
          {list.data.tariffs.map((tf) => (
            <div key={tf.id} className="rounded-md border border-slate-200 p-3 text-sm">
              <div className="font-medium">
                {tf.name} — {formatMoney(tf.pricePerHour, currency)} {t("perHour")} · {tf.stepMinutes} {t("minutes").toLowerCase()}
              </div>
              {tf.windows.map((w, i) => (
                <div key={i} className="text-slate-600">
                  {w.name}: {w.startsAt.slice(0, 5)}–{w.endsAt.slice(0, 5)} · {formatMoney(w.pricePerHour, currency)}
                </div>
              ))}
              {tf.packages.map((p) => (
                <div key={p.id} className="text-slate-600">
                  {t("package")}: {p.name} — {formatMoney(p.price, currency)}
                </div>
              ))}
            </div>
          ))}
        </div>
      )}
    </Card>
  );
}
