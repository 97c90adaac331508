import { useEffect, useState } from "react";
import type { ChangeEvent, FormEvent } from "react";
import { useMutation, useQuery } from "urql";
import { NotificationLogDocument, NotificationSettingsDocument, ResendNotificationDocument, SetNotificationSettingsDocument } from "@clubgrid/client";
import type { NotificationSettingsQuery } from "@clubgrid/client";
import { useApp, useCan } from "../app/context";
import { describeError } from "../lib/errors";
import { enumLabel, useI18n } from "../lib/i18n";
import type { Key } from "../lib/i18n";
import { formatDateTime } from "../lib/time";
import { Button, Card, Checkbox, Empty, ErrorBox, Field, Loading, Pager, Select } from "../ui/ui";

const STATUSES = ["dead", "failed", "pending", "sent", "skipped"] as const;
const PAGE = 50;
const SIGN_IN_CODE = "client.sign_in_code";

const tones: Record<string, string> = {
  sent: "bg-emerald-100 text-emerald-800",
  pending: "bg-sky-100 text-sky-800",
  failed: "bg-amber-100 text-amber-800",
  dead: "bg-rose-100 text-rose-800",
  skipped: "bg-slate-200 text-slate-700",
};


/**
 * The notification log of the chosen location (sent, waiting, retrying, not delivered,
 * skipped) with "send again" for staff who may, and the location's quiet hours and reminders.
 */
export default function NotificationsPage() {
  const { t, lang } = useI18n();
  const { location } = useApp();
  const can = useCan();
  const [status, setStatus] = useState<string>("");
  const [channel, setChannel] = useState<string>("");
  const [offset, setOffset] = useState(0);
  useEffect(() => setOffset(0), [status, channel, location.id]);
  // "All" is what was meant to reach somebody: messages skipped for want of a channel have
  // their own tab.
  const filter = { locationId: location.id, status: status || null, notStatus: status ? null : "skipped", channel: channel || null };
  const [log, refetch] = useQuery({ query: NotificationLogDocument, variables: { filter, page: { limit: PAGE, offset } }, requestPolicy: "cache-and-network" });
  const [undelivered] = useQuery({ query: NotificationLogDocument, variables: { filter: { locationId: location.id, status: "dead" }, page: { limit: 1 } }, requestPolicy: "cache-and-network" });
  const [resent, resend] = useMutation(ResendNotificationDocument);
  const [notice, setNotice] = useState<string | null>(null);
  const mayResend = can("Mutation.resendNotification");
  const page = log.data?.notifications;
  const deadCount = undelivered.data?.notifications.pageInfo.total ?? 0;
  // `reminder.class` reads as the dictionary's `kind_reminder_class`, else as it is.
  const label = (kind: string) => {
    const key = `kind_${kind.replace(/\./g, "_")}`;
    const text = enumLabel(t, key);
    return text === key ? kind : text;
  };

  async function again(id: string) {
    setNotice(null);
    const res = await resend({ id });
    if (!res.error) {
      setNotice(t("notifyResent"));
      refetch({ requestPolicy: "network-only" });
    }
  }

  return (
    <div className="flex flex-col gap-3">
      <div className="flex flex-wrap items-end gap-3">
        <h1 className="text-xl font-semibold">{t("navNotifications")}</h1>
        <div role="tablist" aria-label={t("notifyLog")} className="flex flex-wrap gap-1 rounded-lg bg-slate-100 p-1">
          {["", ...STATUSES].map((s) => (
            <button
              key={s || "all"}
              type="button"
              role="tab"
              aria-selected={status === s}
              onClick={() => setStatus(s)}
              className={`rounded-md px-3 py-1 text-sm ${status === s ? "bg-white font-semibold text-slate-900 shadow-sm" : "text-slate-600 hover:text-slate-900"}`}
            >
              {s ? t(`notifyStatus_${s}` as Key) : t("notifyAll")}
              {s === "dead" && deadCount > 0 && <span className="ml-1 rounded-full bg-rose-600 px-1.5 text-xs font-semibold text-white">{deadCount}</span>}
            </button>
          ))}
        </div>
        <Select label={t("notifyChannel")} value={channel} onChange={(e) => setChannel(e.target.value)} className="w-44">
          <option value="">{t("notifyAnyChannel")}</option>
          <option value="telegram">Telegram</option>
          <option value="push">Web Push</option>
        </Select>
        <Button className="ml-auto" onClick={() => refetch({ requestPolicy: "network-only" })}>
          {t("refresh")}
        </Button>
      </div>
      <ErrorBox error={describeError(log.error ?? resent.error, lang)} />
      {notice && (
        <p role="status" className="text-sm text-emerald-700">
          {notice}
        </p>
      )}
      <Card title={t("notifyLog")} dense>
        {!page ? (
          <Loading />
        ) : page.items.length === 0 ? (
          <Empty>{t("notifyNone")}</Empty>
        ) : (
          <div className="overflow-x-auto">
            <table className="w-full text-sm">
              <thead>
                <tr className="border-b border-slate-200 text-left text-slate-500">
                  <th className="py-1 pr-3 font-medium">{t("notifyWhen")}</th>
                  <th className="py-1 pr-3 font-medium">{t("notifyWhat")}</th>
                  <th className="py-1 pr-3 font-medium">{t("notifyWhom")}</th>
                  <th className="py-1 pr-3 font-medium">{t("notifyChannel")}</th>
                  <th className="py-1 pr-3 font-medium">{t("status")}</th>
                  <th className="py-1 pr-3 text-right font-medium">{t("notifyAttempts")}</th>
                  <th className="py-1 font-medium">{t("notifyError")}</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {page.items.map((n) => (
                  <tr key={n.id} className="border-b border-slate-100 align-top" data-testid="notification-row">
                    <td className="py-1.5 pr-3 whitespace-nowrap tabular-nums">{formatDateTime(n.occurredAt, location.timezone, lang)}</td>
                    <td className="py-1.5 pr-3">{label(n.kind)}</td>
                    <td className="py-1.5 pr-3">
                      {n.recipientName ?? "—"}
                      <span className="ml-1 text-xs text-slate-400">{n.recipient.startsWith("user:") ? t("staffMember") : ""}</span>
                    </td>
                    <td className="py-1.5 pr-3 whitespace-nowrap">{n.channel === "push" ? "Web Push" : "Telegram"}</td>
                    <td className="py-1.5 pr-3">
                      <span className={`rounded px-1.5 py-0.5 text-xs font-medium whitespace-nowrap ${tones[n.status] ?? ""}`}>{t(`notifyStatus_${n.status}` as Key)}</span>
                      {n.heldUntil && n.status === "pending" && <div className="text-xs text-slate-500">{t("notifyHeldUntil", { time: formatDateTime(n.heldUntil, location.timezone, lang) })}</div>}
                      {n.status === "failed" && <div className="text-xs text-slate-500">{t("notifyNextTry", { time: formatDateTime(n.nextAttemptAt, location.timezone, lang) })}</div>}
                    </td>
                    <td className="py-1.5 pr-3 text-right tabular-nums">{n.attempts}</td>
                    <td className="max-w-xs py-1.5 text-xs break-words text-slate-600">{n.lastError ?? ""}</td>
                    <td className="py-1.5 pl-2 text-right">
                      {mayResend && n.kind !== SIGN_IN_CODE && (n.status === "dead" || n.status === "failed") && (
                        <Button className="px-2 py-1 text-xs whitespace-nowrap" disabled={resent.fetching} onClick={() => void again(n.id)}>
                          {t("notifyResend")}
                        </Button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <Pager offset={page.pageInfo.offset} shown={page.items.length} total={page.pageInfo.total} size={PAGE} onOffset={setOffset} />
          </div>
        )}
      </Card>
      {can("Query.notificationSettings") && <SettingsCard key={location.id} />}
    </div>
  );
}

type Settings = NotificationSettingsQuery["notificationSettings"];

/** "2, 24" ⇄ [24, 2]; an empty text is no reminder. */
function hoursText(hours: readonly number[]): string {
  return [...hours].sort((a, b) => a - b).join(", ");
}

function parseHours(text: string): number[] {
  return text
    .split(/[,\s]+/)
    .filter(Boolean)
    .map(Number)
    .filter((n) => Number.isFinite(n));
}

function optionalInt(text: string): number | null {
  return text.trim() === "" ? null : Number(text);
}

function SettingsCard() {
  const { t, lang } = useI18n();
  const { location } = useApp();
  const can = useCan();
  const [current] = useQuery({ query: NotificationSettingsDocument, variables: { locationId: location.id } });
  const settings = current.data?.notificationSettings;
  return (
    <Card title={t("notifySettings")}>
      <ErrorBox error={describeError(current.error, lang)} />
      {!settings ? <Loading /> : <SettingsForm settings={settings} editable={can("Mutation.setNotificationSettings")} />}
    </Card>
  );
}

function SettingsForm({ settings, editable }: { settings: Settings; editable: boolean }) {
  const { t, lang } = useI18n();
  const { location } = useApp();
  const [form, setForm] = useState(() => ({
    quietFrom: settings.quietFrom?.slice(0, 5) ?? "",
    quietTo: settings.quietTo?.slice(0, 5) ?? "",
    appointmentHours: hoursText(settings.appointmentHours),
    classHours: settings.classHours?.toString() ?? "",
    membershipExpiringDays: settings.membershipExpiringDays?.toString() ?? "",
    membershipExpired: settings.membershipExpired,
    missedThreshold: settings.missedThreshold?.toString() ?? "",
    examDays: settings.examDays?.toString() ?? "",
    paymentDueDays: settings.paymentDueDays?.toString() ?? "",
  }));
  const [saved, save] = useMutation(SetNotificationSettingsDocument);
  const [done, setDone] = useState(false);
  const error = describeError(saved.error, lang);
  const set = (key: keyof typeof form) => (e: ChangeEvent<HTMLInputElement>) => {
    setDone(false);
    setForm({ ...form, [key]: e.target.type === "checkbox" ? e.target.checked : e.target.value });
  };

  async function submit(e: FormEvent) {
    e.preventDefault();
    const res = await save({
      locationId: location.id,
      input: {
        quietFrom: form.quietFrom ? `${form.quietFrom}:00` : null,
        quietTo: form.quietTo ? `${form.quietTo}:00` : null,
        appointmentHours: parseHours(form.appointmentHours),
        classHours: optionalInt(form.classHours),
        membershipExpiringDays: optionalInt(form.membershipExpiringDays),
        membershipExpired: form.membershipExpired,
        missedThreshold: optionalInt(form.missedThreshold),
        examDays: optionalInt(form.examDays),
        paymentDueDays: optionalInt(form.paymentDueDays),
      },
    });
    setDone(!res.error);
  }

  const number = { type: "number", min: 1, disabled: !editable } as const;
  return (
    <form onSubmit={(e) => void submit(e)} className="flex flex-col gap-3">
      <p className="text-sm text-slate-600">{t("notifySettingsHint")}</p>
      <ErrorBox error={error} />
      <div className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-4">
        <Field label={t("notifyQuietFrom")} type="time" value={form.quietFrom} onChange={set("quietFrom")} apiField="input.quietFrom" error={error} disabled={!editable} />
        <Field label={t("notifyQuietTo")} type="time" value={form.quietTo} onChange={set("quietTo")} apiField="input.quietTo" error={error} disabled={!editable} />
        <Field label={t("notifyAppointmentHours")} value={form.appointmentHours} onChange={set("appointmentHours")} apiField="input.appointmentHours" error={error} inputMode="numeric" disabled={!editable} />
        <Field label={t("notifyPaymentDays")} {...number} value={form.paymentDueDays} onChange={set("paymentDueDays")} apiField="input.paymentDueDays" error={error} />
        <Field label={t("notifyClassHours")} {...number} value={form.classHours} onChange={set("classHours")} apiField="input.classHours" error={error} />
        <Field label={t("notifyMembershipDays")} {...number} value={form.membershipExpiringDays} onChange={set("membershipExpiringDays")} apiField="input.membershipExpiringDays" error={error} />
        <Field label={t("notifyMissedThreshold")} {...number} value={form.missedThreshold} onChange={set("missedThreshold")} apiField="input.missedThreshold" error={error} />
        <Field label={t("notifyExamDays")} {...number} value={form.examDays} onChange={set("examDays")} apiField="input.examDays" error={error} />
      </div>
      <Checkbox label={t("notifyMembershipExpired")} checked={form.membershipExpired} onChange={set("membershipExpired")} disabled={!editable} />
      {editable && (
        <div className="flex items-center gap-3">
          <Button tone="primary" type="submit" disabled={saved.fetching}>
            {t("save")}
          </Button>
          {done && (
            <span role="status" className="text-sm text-emerald-700">
              {t("notifySaved")}
            </span>
          )}
        </div>
      )}
    </form>
  );
}
