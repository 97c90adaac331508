import { useState } from "react";
import { useMutation, useQuery } from "urql";
import { ExportClientsDocument, SearchClientsDocument } from "@clubgrid/client";
import { useApp, useCan } from "../app/context";
import { Link } from "../app/router";
import { downloadBase64 } from "../lib/download";
import { describeError } from "../lib/errors";
import { useI18n } from "../lib/i18n";
import { formatMoney } from "../lib/money";
import { formatDateTime } from "../lib/time";
import { Button, Card, Empty, ErrorBox, Loading } from "../ui/ui";
import { ClientCard } from "./ClientCard";
import { useDebounced } from "./ClientPicker";
import { ImportDialog } from "./ImportDialog";

export default function ClientsPage({ clientId }: { clientId?: string | undefined }) {
  if (clientId) return <ClientCard id={clientId} />;
  return <ClientList />;
}

function ClientList() {
  const { t, lang } = useI18n();
  const { currency, location } = useApp();
  const can = useCan();
  const [text, setText] = useState("");
  const [debtors, setDebtors] = useState(false);
  const [tag, setTag] = useState("");
  const [importing, setImporting] = useState(false);
  const search = useDebounced(text.trim());
  const tagFilter = useDebounced(tag.trim());
  const filter = { search: search || null, hasDebt: debtors ? true : null, tag: tagFilter || null };
  const [list] = useQuery({ query: SearchClientsDocument, variables: { filter, page: { limit: 50 }, sort: search ? "NAME" : "LAST_VISIT_DESC" } });
  const [exported, exportClients] = useMutation(ExportClientsDocument);
  const items = list.data?.clients.items ?? [];

  async function doExport() {
    const res = await exportClients({ filter, sort: "NAME" });
    const file = res.data?.exportClients;
    if (file) downloadBase64(file.filename, file.contentType, file.dataBase64);
  }

  return (
    <div className="flex flex-col gap-3">
      <div className="flex flex-wrap items-center gap-2">
        <h1 className="text-xl font-semibold">{t("navClients")}</h1>
        <div className="ml-auto flex gap-2">
          {can("Mutation.importClients") && <Button onClick={() => setImporting(true)}>{t("import")}</Button>}
          {can("Mutation.exportClients") && (
            <Button onClick={() => void doExport()} disabled={exported.fetching}>
              {exported.fetching ? t("exporting") : t("export")}
            </Button>
          )}
        </div>
      </div>
      <Card>
        <div className="flex flex-wrap items-end gap-3">
          <label className="flex min-w-64 flex-1 flex-col gap-1 text-sm">
            <span className="font-medium text-slate-700">{t("search")}</span>
            <input type="search" name="search" placeholder={t("searchHint")} value={text} onChange={(e) => setText(e.target.value)} className="rounded-md border border-slate-300 px-2 py-1.5" />
          </label>
          <label className="flex flex-col gap-1 text-sm">
            <span className="font-medium text-slate-700">{t("tag")}</span>
            <input name="tag" value={tag} onChange={(e) => setTag(e.target.value)} className="w-32 rounded-md border border-slate-300 px-2 py-1.5" />
          </label>
          <label className="flex items-center gap-2 pb-2 text-sm">
            <input type="checkbox" checked={debtors} onChange={(e) => setDebtors(e.target.checked)} />
            {t("onlyDebtors")}
          </label>
        </div>
      </Card>
      <ErrorBox error={describeError(list.error ?? exported.error, lang)} />
      <Card>
        {list.fetching && !list.data ? (
          <Loading />
        ) : items.length === 0 ? (
          <Empty>{t("noClients")}</Empty>
        ) : (
          <div className="overflow-x-auto">
            <table className="w-full text-sm">
              <thead>
                <tr className="border-b border-slate-200 text-left text-slate-500">
                  <th className="py-1.5">{t("client")}</th>
                  <th className="py-1.5">{t("phone")}</th>
                  <th className="py-1.5">{t("tags")}</th>
                  <th className="py-1.5 text-right">{t("balance")}</th>
                  <th className="py-1.5 text-right">{t("lastVisit")}</th>
                </tr>
              </thead>
              <tbody>
                {items.map((c) => (
                  <tr key={c.id} className="border-b border-slate-100 hover:bg-slate-50">
                    <td className="py-1.5">
                      <Link href={`/clients/${c.id}`} className="font-medium text-sky-800 hover:underline">
                        {c.displayName}
                      </Link>
                    </td>
                    <td className="py-1.5 tabular-nums">{c.phone ?? (c.telegramUsername ? `@${c.telegramUsername}` : "")}</td>
                    <td className="py-1.5">
                      {c.tags.map((tg) => (
                        <span key={tg} className="mr-1 rounded bg-slate-100 px-1.5 py-0.5 text-xs">
                          {tg}
                        </span>
                      ))}
                    </td>
                    <td className={`py-1.5 text-right tabular-nums ${c.debt !== "0" && !c.debt.startsWith("0.") ? "text-rose-700" : ""}`}>{formatMoney(c.balance, currency)}</td>
                    <td className="py-1.5 text-right tabular-nums text-slate-600">{formatDateTime(c.lastVisitAt, location.timezone, lang)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <p className="mt-2 text-xs text-slate-500">
              {items.length} / {list.data?.clients.pageInfo.total}
            </p>
          </div>
        )}
      </Card>
      {importing && <ImportDialog onClose={() => setImporting(false)} />}
    </div>
  );
}
