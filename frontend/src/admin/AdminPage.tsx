import { useState } from "react";
import { useMutation, useQuery } from "urql";
import { AdminApiKeysDocument, AdminUsersDocument, CreateApiKeyDocument, CreateUserDocument, RevokeApiKeyDocument, SetUserActiveDocument } from "@clubgrid/client";
import type { Role } from "@clubgrid/client";
import { useApp, useCan } from "../app/context";
import { describeError } from "../lib/errors";
import { useI18n } from "../lib/i18n";
import type { Key } from "../lib/i18n";
import { formatDateTime } from "../lib/time";
import { Button, Card, ErrorBox, Field, Loading, Select } from "../ui/ui";
import { PromotionAdmin } from "./PromotionAdmin";
import { TariffAdmin } from "./TariffAdmin";
import { VenueAdmin } from "./VenueAdmin";

const ROLES: Role[] = ["OWNER", "ADMIN", "MANAGER", "OPERATOR", "TECH", "TRAINER", "READ_ONLY"];

type Section = "venue" | "tariffs" | "promotions" | "staff";

/**
 * The location's zones and PCs, tariffs with windows and packages, promotions, and (for
 * owners and admins) staff accounts and API keys, each section shown to the roles that may
 * change it.
 */
export default function AdminPage() {
  const { t } = useI18n();
  const can = useCan();
  const sections: { id: Section; label: Key; allowed: boolean }[] = [
    { id: "venue", label: "zonesAndPcs", allowed: can("Query.zones") && (can("Mutation.createZone") || can("Mutation.updateResource")) },
    { id: "tariffs", label: "tariffs", allowed: can("Query.tariffs") && can("Mutation.updateTariff") },
    { id: "promotions", label: "promotions", allowed: can("Query.promotions") && can("Mutation.updatePromotion") },
    { id: "staff", label: "users", allowed: can("Query.users") || can("Query.apiKeys") },
  ];
  const shown = sections.filter((s) => s.allowed);
  const [section, setSection] = useState<Section>(() => {
    const wanted = new URLSearchParams(window.location.search).get("section");
    return shown.find((s) => s.id === wanted)?.id ?? shown[0]?.id ?? "staff";
  });
  const pick = (id: Section) => {
    setSection(id);
    window.history.replaceState(null, "", `?section=${id}`);
  };
  return (
    <div className="flex flex-col gap-3">
      <div className="flex flex-wrap items-center gap-3">
        <h1 className="text-xl font-semibold">{t("navAdmin")}</h1>
        <div role="tablist" aria-label={t("navAdmin")} className="flex flex-wrap gap-1 rounded-lg bg-slate-100 p-1">
          {shown.map((s) => (
            <button
              key={s.id}
              type="button"
              role="tab"
              aria-selected={section === s.id}
              onClick={() => pick(s.id)}
              className={`rounded-md px-3 py-1 text-sm ${section === s.id ? "bg-white font-semibold text-slate-900 shadow-sm" : "text-slate-600 hover:text-slate-900"}`}
            >
              {t(s.label)}
            </button>
          ))}
        </div>
      </div>
      {section === "venue" && <VenueAdmin />}
      {section === "tariffs" && <TariffAdmin />}
      {section === "promotions" && <PromotionAdmin />}
      {section === "staff" && (
        <>
          {can("Query.users") && <Users />}
          {can("Query.apiKeys") && <ApiKeys />}
        </>
      )}
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
