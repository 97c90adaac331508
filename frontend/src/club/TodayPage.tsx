import { useMemo } from "react";
import { useQuery } from "urql";
import { CurrentShiftDocument, PcMapDocument, TodayDocument, TodayTakingsDocument } from "@clubgrid/client";
import { useApp, useCan } from "../app/context";
import { Link } from "../app/router";
import { describeError } from "../lib/errors";
import { enumLabel, useI18n } from "../lib/i18n";
import { formatMoney } from "../lib/money";
import { formatDuration, formatTime, localDate, localDayRange } from "../lib/time";
import { Card, Empty, ErrorBox, Loading, Stat } from "../ui/ui";
import { minutesLeft } from "./mapState";

/** The day at a glance: running sessions with time left, the day's bookings, the shift, takings. */
export function TodayPage() {
  const { t, lang } = useI18n();
  const { location, currency } = useApp();
  const can = useCan();
  const day = localDate(location.timezone);
  const range = useMemo(() => localDayRange(location.timezone, day), [location.timezone, day]);
  const [map] = useQuery({ query: PcMapDocument, variables: { locationId: location.id } });
  const [today] = useQuery({ query: TodayDocument, variables: { locationId: location.id, ...range }, pause: !can("Query.pcBookings") });
  const [shift] = useQuery({ query: CurrentShiftDocument, variables: { locationId: location.id }, pause: !can("Query.currentShift") });
  const [takings] = useQuery({ query: TodayTakingsDocument, variables: { locationId: location.id, day }, pause: !can("Query.clubReport") });
  const now = Date.now();
  const running = (map.data?.pcMap.zones ?? []).flatMap((z) => z.pcs.filter((pc) => pc.session).map((pc) => ({ ...pc, zone: z.name })));
  running.sort((a, b) => (minutesLeft(a.session ?? null, now) ?? 1e9) - (minutesLeft(b.session ?? null, now) ?? 1e9));
  const bookings = today.data?.pcBookings.items ?? [];
  const error = map.error ?? today.error;

  return (
    <div className="flex flex-col gap-3">
      <h1 className="text-xl font-semibold">
        {t("navToday")} · {location.name}
      </h1>
      <ErrorBox error={describeError(error, lang)} />
      <div className="grid grid-cols-2 gap-2 lg:grid-cols-4">
        <Stat label={t("sessionsRunning")} value={running.length} />
        <Stat label={t("bookingsNext")} value={bookings.filter((b) => b.status === "ACTIVE").length} />
        {can("Query.currentShift") && (
          <Stat label={shift.data?.currentShift ? t("shiftOpen") : t("shiftClosed")} value={shift.data?.currentShift ? `${t("since")} ${formatTime(shift.data.currentShift.openedAt, location.timezone, lang)}` : "—"} tone={shift.data?.currentShift ? "good" : "bad"} />
        )}
        {can("Query.clubReport") && <Stat label={t("takings")} value={formatMoney(takings.data?.clubReport.total.received ?? null, currency)} />}
      </div>
      <div className="grid gap-3 lg:grid-cols-2">
        <Card title={t("sessionsRunning")} actions={<Link href="/map" className="text-sm text-sky-700 hover:underline">{t("navMap")} →</Link>}>
          {map.fetching && !map.data ? (
            <Loading />
          ) : running.length === 0 ? (
            <Empty>{t("noSessions")}</Empty>
          ) : (
            <table className="w-full text-sm">
              <tbody>
                {running.map((pc) => {
                  const left = minutesLeft(pc.session ?? null, now);
                  return (
                    <tr key={pc.resource.id} className="border-b border-slate-100">
                      <td className="py-1.5 font-medium">{pc.resource.name}</td>
                      <td className="py-1.5 text-slate-600">{pc.clientName ?? pc.session?.guestName ?? t("guest")}</td>
                      <td className={`py-1.5 text-right tabular-nums ${left !== null && left <= 5 ? "font-semibold text-rose-700" : ""}`}>{left === null ? t("openSession") : formatDuration(left, lang)}</td>
                      <td className="py-1.5 text-right tabular-nums text-slate-600">{formatMoney(pc.costSoFar ?? null, currency)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          )}
        </Card>
        <Card title={t("bookingsNext")} actions={<Link href="/bookings" className="text-sm text-sky-700 hover:underline">{t("navBookings")} →</Link>}>
          {today.fetching && !today.data ? (
            <Loading />
          ) : bookings.length === 0 ? (
            <Empty>{t("noBookings")}</Empty>
          ) : (
            <table className="w-full text-sm">
              <tbody>
                {bookings.map((b) => (
                  <tr key={b.id} className="border-b border-slate-100">
                    <td className="py-1.5 tabular-nums">
                      {formatTime(b.startsAt, location.timezone, lang)}–{formatTime(b.endsAt, location.timezone, lang)}
                    </td>
                    <td className="py-1.5">
                      {b.pcCount} {t("pcs")}
                    </td>
                    <td className="py-1.5 text-slate-600">{b.client?.displayName ?? `#${b.clientId}`}</td>
                    <td className={`py-1.5 text-right ${b.status === "NO_SHOW" ? "font-semibold text-rose-700" : "text-slate-600"}`}>{enumLabel(t, b.status)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Card>
      </div>
    </div>
  );
}
