import { useState } from "react";
import { useClient, useQuery } from "urql";
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { ClubReportDocument, ClubReportXlsxDocument } from "@clubgrid/client";
import { useApp } from "../app/context";
import { downloadBase64 } from "../lib/download";
import { describeError } from "../lib/errors";
import { enumLabel, useI18n } from "../lib/i18n";
import { formatMoney } from "../lib/money";
import { formatDate, localDate, weekOf } from "../lib/time";
import { Button, Card, ErrorBox, Field, Loading, Stat } from "../ui/ui";

type Preset = "day" | "week" | "custom";

/** Daily, weekly and custom club reports: income chart, load heat map, shifts, .xlsx. */
export default function ReportsPage() {
  const { t, lang } = useI18n();
  const { location, currency } = useApp();
  const client = useClient();
  const today = localDate(location.timezone);
  const [preset, setPreset] = useState<Preset>("week");
  const [custom, setCustom] = useState(weekOf(today));
  const [downloading, setDownloading] = useState(false);
  const range = preset === "day" ? { from: today, to: today } : preset === "week" ? weekOf(today) : custom;
  const [report] = useQuery({ query: ClubReportDocument, variables: { locationId: location.id, ...range } });
  const data = report.data?.clubReport;

  async function download() {
    setDownloading(true);
    try {
      const res = await client.query(ClubReportXlsxDocument, { locationId: location.id, ...range }, { requestPolicy: "network-only" }).toPromise();
      const file = res.data?.clubReportXlsx;
      if (file) downloadBase64(file.filename, file.contentType, file.contentBase64);
    } finally {
      setDownloading(false);
    }
  }

  const zones = data ? [...new Set(data.utilisation.map((u) => u.zoneName))] : [];
  const cell = new Map(data?.utilisation.map((u) => [`${u.zoneName}|${u.hour}`, u.percent]) ?? []);
  return (
    <div className="flex flex-col gap-3">
      <div className="flex flex-wrap items-end gap-2">
        <h1 className="text-xl font-semibold">{t("reports")}</h1>
        <div role="group" className="ml-4 flex overflow-hidden rounded-md border border-slate-300 text-sm">
          {(["day", "week", "custom"] as const).map((p) => (
            <button key={p} type="button" aria-pressed={preset === p} onClick={() => setPreset(p)} className={`px-3 py-1.5 ${preset === p ? "bg-slate-800 text-white" : "bg-white"}`}>
              {t(p)}
            </button>
          ))}
        </div>
        {preset === "custom" && (
          <>
            <Field label={t("from")} type="date" value={custom.from} onChange={(e) => setCustom({ ...custom, from: e.target.value })} />
            <Field label={t("to")} type="date" value={custom.to} onChange={(e) => setCustom({ ...custom, to: e.target.value })} />
          </>
        )}
        <Button className="ml-auto" onClick={() => void download()} disabled={downloading}>
          {downloading ? t("exporting") : t("download")}
        </Button>
      </div>
      <ErrorBox error={describeError(report.error, lang)} />
      {!data ? (
        <Loading />
      ) : (
        <>
          <p className="text-sm text-slate-600">
            {formatDate(data.from, lang)} — {formatDate(data.to, lang)} · {data.timezone}
          </p>
          <div className="grid grid-cols-2 gap-2 lg:grid-cols-4">
            <Stat label={t("received")} value={formatMoney(data.total.received, currency)} />
            <Stat label={t("sessions")} value={data.total.sessions} />
            <Stat label={t("playedHours")} value={(data.total.playedMinutes / 60).toFixed(1)} />
            <Stat label={t("activeClients")} value={data.total.activeClients} />
          </div>
          <Card title={t("incomeByDay")}>
            <div className="h-64">
              <ResponsiveContainer width="100%" height="100%">
                <BarChart data={data.days.map((d) => ({ date: formatDate(d.date, lang).slice(0, 5), received: Number(d.received) }))}>
                  <CartesianGrid strokeDasharray="3 3" vertical={false} />
                  <XAxis dataKey="date" fontSize={12} />
                  <YAxis fontSize={12} width={70} tickFormatter={(v: number) => formatMoney(String(v), currency)} />
                  <Tooltip formatter={(v) => formatMoney(String(v), currency)} />
                  <Bar dataKey="received" name={t("received")} fill="#0284c7" radius={[3, 3, 0, 0]} isAnimationActive={false} />
                </BarChart>
              </ResponsiveContainer>
            </div>
            <p className="mt-2 text-xs text-slate-500">{data.total.payments.map((p) => `${enumLabel(t, p.method)}: ${formatMoney(p.amount, currency)}`).join(" · ")}</p>
          </Card>
          <Card title={t("loadByHour")}>
            <div className="overflow-x-auto">
              <table className="text-xs">
                <thead>
                  <tr>
                    <th />
                    {Array.from({ length: 24 }, (_, h) => (
                      <th key={h} className="w-7 font-normal text-slate-500">
                        {h}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {zones.map((z) => (
                    <tr key={z}>
                      <th className="pr-2 text-left font-medium whitespace-nowrap">{z}</th>
                      {Array.from({ length: 24 }, (_, h) => {
                        const p = cell.get(`${z}|${h}`) ?? 0;
                        return (
                          <td key={h} title={`${z} ${h}:00 — ${p}%`} className="h-6 w-7 border border-white text-center tabular-nums" style={{ background: `rgba(2,132,199,${Math.min(1, p / 100) * 0.9 + 0.05})`, color: p > 55 ? "white" : "#0f172a" }}>
                            {p >= 1 ? Math.round(p) : ""}
                          </td>
                        );
                      })}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </Card>
          <Card title={t("shiftPerformance")}>
            <table className="w-full text-sm">
              <thead>
                <tr className="border-b border-slate-200 text-left text-slate-500">
                  <th className="py-1">{t("operator")}</th>
                  <th className="py-1 text-right">{t("shifts")}</th>
                  <th className="py-1 text-right">{t("sessions")}</th>
                  <th className="py-1 text-right">{t("revenue")}</th>
                  <th className="py-1 text-right">{t("difference")}</th>
                </tr>
              </thead>
              <tbody>
                {data.shifts.map((s) => (
                  <tr key={s.operatorId} className="border-b border-slate-100">
                    <td className="py-1">{s.operatorName}</td>
                    <td className="py-1 text-right tabular-nums">{s.shifts}</td>
                    <td className="py-1 text-right tabular-nums">{s.sessions}</td>
                    <td className="py-1 text-right tabular-nums">{formatMoney(s.revenue, currency)}</td>
                    <td className={`py-1 text-right tabular-nums ${s.cashDifference.startsWith("-") ? "text-rose-700" : ""}`}>{formatMoney(s.cashDifference, currency)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Card>
        </>
      )}
    </div>
  );
}
