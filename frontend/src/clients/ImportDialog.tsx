import { useState } from "react";
import { useMutation } from "urql";
import { ImportClientsDocument } from "@clubgrid/client";
import type { ImportClientsMutation } from "@clubgrid/client";
import { describeError } from "../lib/errors";
import { enumLabel, useI18n } from "../lib/i18n";
import { Button, Dialog, ErrorBox, Stat } from "../ui/ui";

type Report = ImportClientsMutation["importClients"];

/** Import from .xlsx/.csv: a dry run first shows the row-by-row report, then the real run. */
export function ImportDialog({ onClose }: { onClose: () => void }) {
  const { t, lang } = useI18n();
  const [file, setFile] = useState<File | null>(null);
  const [report, setReport] = useState<Report | null>(null);
  const [result, run] = useMutation(ImportClientsDocument);
  async function go(dryRun: boolean) {
    if (!file) return;
    const res = await run({ file, dryRun });
    if (res.data) setReport(res.data.importClients);
  }
  return (
    <Dialog
      wide
      title={t("importTitle")}
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>{t("close")}</Button>
          <Button onClick={() => void go(true)} disabled={!file || result.fetching}>
            {t("dryRun")}
          </Button>
          <Button tone="primary" onClick={() => void go(false)} disabled={!file || result.fetching || !report?.dryRun}>
            {t("doImport")}
          </Button>
        </>
      }
    >
      <label className="flex flex-col gap-1 text-sm">
        <span className="font-medium text-slate-700">{t("chooseFile")}</span>
        <input
          type="file"
          name="file"
          accept=".xlsx,.csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,text/csv"
          onChange={(e) => {
            setFile(e.target.files?.[0] ?? null);
            setReport(null);
          }}
        />
      </label>
      {result.fetching && (
        <div role="progressbar" aria-label={t("importing")} className="flex items-center gap-2 text-sm text-slate-600">
          <span className="h-4 w-4 animate-spin rounded-full border-2 border-slate-300 border-t-sky-600" />
          {t("importing")}
        </div>
      )}
      <ErrorBox error={describeError(result.error, lang)} />
      {report && (
        <div className="flex flex-col gap-2" data-testid="import-report">
          <p className={`text-sm font-semibold ${report.dryRun ? "text-amber-700" : "text-emerald-700"}`}>{report.dryRun ? t("dryRunReport") : t("importReport")}</p>
          <div className="grid grid-cols-3 gap-2 md:grid-cols-5">
            <Stat label={t("rowsTotal")} value={report.total} />
            <Stat label={t("created")} value={report.created} tone="good" />
            <Stat label={t("updated")} value={report.updated} />
            <Stat label={t("skipped")} value={report.skipped} />
            <Stat label={t("failed")} value={report.failed} tone={report.failed > 0 ? "bad" : "default"} />
          </div>
          <p className="text-xs text-slate-500">{report.columns.join(" · ")}</p>
          <table className="w-full text-sm">
            <thead>
              <tr className="border-b border-slate-200 text-left text-slate-500">
                <th className="py-1">{t("row")}</th>
                <th className="py-1">{t("outcome")}</th>
                <th className="py-1">{t("column")}</th>
                <th className="py-1">{t("message")}</th>
              </tr>
            </thead>
            <tbody>
              {report.rows.map((r) => (
                <tr key={r.row} className={`border-b border-slate-100 ${r.outcome === "ERROR" ? "bg-rose-50" : ""}`}>
                  <td className="py-1 tabular-nums">{r.row}</td>
                  <td className="py-1">{enumLabel(t, r.outcome)}</td>
                  <td className="py-1">{r.column ?? ""}</td>
                  <td className="py-1">{r.message ?? ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Dialog>
  );
}
