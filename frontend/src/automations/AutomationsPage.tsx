import { useEffect, useState } from "react";
import type { FormEvent } from "react";
import { useClient, useMutation, useQuery } from "urql";
import type { CombinedError } from "urql";
import { AddAutomationRuleDocument, AutomationDryRunDocument, AutomationRulesPageDocument, AutomationRunLogDocument, RemoveAutomationRuleDocument, SaveAutomationRuleDocument } from "@clubgrid/client";
import type { AutomationActionInput, AutomationActionType, AutomationDryRunQuery, AutomationRuleFieldsFragment, AutomationRuleInput, AutomationTrigger, PaymentKind } from "@clubgrid/client";
import { useApp, useCan } from "../app/context";
import { describeError } from "../lib/errors";
import { useI18n } from "../lib/i18n";
import type { Key } from "../lib/i18n";
import { formatDateTime } from "../lib/time";
import { Button, Card, Checkbox, Dialog, Empty, ErrorBox, Field, Loading, Pager, Select, Stat } from "../ui/ui";

type Rule = AutomationRuleFieldsFragment;
type Stage = { id: string; name: string };
type Preview = AutomationDryRunQuery["previewAutomationRule"];

const TRIGGERS: readonly AutomationTrigger[] = ["PAYMENT_TAKEN", "MEMBERSHIP_SOLD", "MEMBERSHIP_RENEWED", "PROGRAM_ASSIGNED", "PROGRAM_STARTED", "PROGRAM_COMPLETED", "LEAD_RECEIVED", "APPOINTMENT_BOOKED", "STAGE_CHANGED", "NO_CONTACT"];
const ACTIONS: readonly AutomationActionType[] = ["MOVE_TO_STAGE", "SET_NEXT_CONTACT", "CREATE_INTERACTION", "ADD_TAG", "REMOVE_TAG", "SEND_MESSAGE"];
const SOLD: readonly PaymentKind[] = ["PROGRAM", "PACKAGE", "MEMBERSHIP", "APPOINTMENT", "CLUB_SESSION", "OTHER"];
const RUNS = 50;

const statusTone: Record<string, string> = {
  done: "bg-emerald-100 text-emerald-800",
  skipped: "bg-slate-200 text-slate-700",
  failed: "bg-rose-100 text-rose-800",
};

/** A rule as the API takes it back: what it reads now, `enabled` as asked. */
function toInput(rule: Rule, enabled: boolean): AutomationRuleInput {
  const c = rule.conditions;
  return {
    name: rule.name,
    trigger: rule.trigger,
    enabled,
    conditions: { paymentFor: c.paymentFor, minAmount: c.minAmount, stageIn: c.stageIn, stageNotIn: c.stageNotIn, toStage: c.toStage, hasTag: c.hasTag, lacksTag: c.lacksTag, locationId: c.locationId, days: c.days },
    actions: rule.actions.map((a) => ({
      type: a.type,
      stageId: a.stage?.id ?? null,
      allowBackwards: a.allowBackwards,
      lostReason: a.lostReason,
      inDays: a.inDays,
      userId: a.userId,
      interactionKind: a.interactionKind,
      text: a.text,
      tag: a.tag,
    })),
  };
}

function useDescribe(stages: readonly Stage[]) {
  const { t } = useI18n();
  const stageName = (id: string | null | undefined) => stages.find((s) => s.id === id)?.name ?? "?";
  const when = (rule: Rule): string => {
    const c = rule.conditions;
    const parts = [rule.trigger === "NO_CONTACT" ? t("autoTrigger_NO_CONTACT_days", { days: c.days ?? 0 }) : t(`autoTrigger_${rule.trigger}` as Key)];
    if (c.paymentFor.length) parts.push(t("autoCondFor", { what: c.paymentFor.map((k) => t(`autoSold_${k}` as Key)).join(", ") }));
    if (c.toStage) parts.push(t("autoCondTo", { stage: stageName(c.toStage) }));
    if (c.stageIn.length) parts.push(t("autoCondIn", { stages: c.stageIn.map(stageName).join(", ") }));
    if (c.stageNotIn.length) parts.push(t("autoCondNotIn", { stages: c.stageNotIn.map(stageName).join(", ") }));
    if (c.hasTag) parts.push(t("autoCondHasTag", { tag: c.hasTag }));
    if (c.lacksTag) parts.push(t("autoCondLacksTag", { tag: c.lacksTag }));
    if (c.minAmount) parts.push(t("autoCondMin", { amount: c.minAmount }));
    return parts.join(", ");
  };
  const then = (rule: Rule): string =>
    rule.actions
      .map((a) => {
        switch (a.type) {
          case "MOVE_TO_STAGE":
            return t(a.allowBackwards ? "autoDoMoveAny" : "autoDoMove", { stage: a.stage?.name ?? "?" }) + (a.lostReason ? t("autoDoReason", { reason: a.lostReason }) : "");
          case "SET_NEXT_CONTACT":
            return t("autoDoContact", { days: a.inDays ?? 0 });
          case "CREATE_INTERACTION":
            return t("autoDoNote", { text: a.text ?? "" });
          case "ADD_TAG":
            return t("autoDoTag", { tag: a.tag ?? "" });
          case "REMOVE_TAG":
            return t("autoDoUntag", { tag: a.tag ?? "" });
          default:
            return t("autoDoMessage", { text: a.text ?? "" });
        }
      })
      .join("; ");
  return { when, then };
}

/**
 * Automation rules (owners and admins): each rule's trigger, conditions and actions in words,
 * switched on or off in place, its runs, and a dry run over the last 30 days; a new rule is
 * written in a form and can be tried before it is saved.
 */
export default function AutomationsPage() {
  const { t, lang } = useI18n();
  const can = useCan();
  const [data, refetch] = useQuery({ query: AutomationRulesPageDocument, requestPolicy: "cache-and-network" });
  const [saved, save] = useMutation(SaveAutomationRuleDocument);
  const [removed, remove] = useMutation(RemoveAutomationRuleDocument);
  const [forRule, setForRule] = useState<Rule | null>(null);
  const [tried, setTried] = useState<{ name: string; preview: Preview } | null>(null);
  const [dryRun, runDry] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const stages = data.data?.pipelineStages ?? [];
  const describe = useDescribe(stages);
  const rules = data.data?.automationRules;

  return (
    <div className="flex flex-col gap-3">
      <div className="flex flex-wrap items-end gap-3">
        <h1 className="text-xl font-semibold">{t("navAutomations")}</h1>
        <p className="text-sm text-slate-600">{t("autoIntro")}</p>
        {can("Mutation.createAutomationRule") && (
          <Button tone="primary" className="ml-auto" onClick={() => setCreating(true)}>
            {t("autoNew")}
          </Button>
        )}
      </div>
      <ErrorBox error={describeError(data.error ?? saved.error ?? removed.error, lang)} />
      <Card title={t("autoRules")} dense>
        {!rules ? (
          <Loading />
        ) : (
          <ul className="divide-y divide-slate-100">
            {rules.map((rule) => (
              <li key={rule.id} data-testid="automation-rule" className="flex flex-wrap items-start gap-3 py-2">
                <div className="min-w-0 flex-1">
                  <div className="flex flex-wrap items-center gap-2">
                    <span className="font-medium text-slate-900">{rule.name}</span>
                    {rule.builtin && <span className="rounded bg-sky-100 px-1.5 py-0.5 text-xs text-sky-800">{t("autoDefault")}</span>}
                    {!rule.enabled && <span className="rounded bg-slate-200 px-1.5 py-0.5 text-xs text-slate-700">{t("autoOff")}</span>}
                  </div>
                  <p className="text-sm text-slate-600">
                    <span className="text-slate-500">{t("autoWhen")}</span> {describe.when(rule)}
                  </p>
                  <p className="text-sm text-slate-600">
                    <span className="text-slate-500">{t("autoThen")}</span> {describe.then(rule)}
                  </p>
                </div>
                <div className="flex flex-wrap items-center gap-2">
                  <Checkbox label={t("autoEnabled")} checked={rule.enabled} disabled={saved.fetching} onChange={(e) => void save({ id: rule.id, input: toInput(rule, e.target.checked) })} />
                  <Button onClick={() => runDry(rule.id)}>{t("autoTry")}</Button>
                  <Button aria-pressed={forRule?.id === rule.id} onClick={() => setForRule(forRule?.id === rule.id ? null : rule)}>
                    {t("autoRuns")}
                  </Button>
                  {!rule.builtin && can("Mutation.deleteAutomationRule") && (
                    <Button tone="danger" disabled={removed.fetching} onClick={() => void remove({ id: rule.id }).then(() => refetch({ requestPolicy: "network-only" }))}>
                      {t("delete")}
                    </Button>
                  )}
                </div>
              </li>
            ))}
          </ul>
        )}
      </Card>
      <RunLog rule={forRule} rules={rules ?? []} />
      {dryRun && rules && (
        <DryRun
          name={rules.find((r) => r.id === dryRun)?.name ?? ""}
          variables={{ id: dryRun, days: 30 }}
          onClose={() => runDry(null)}
        />
      )}
      {tried && <PreviewDialog name={tried.name} preview={tried.preview} onClose={() => setTried(null)} />}
      {creating && (
        <NewRule
          stages={stages}
          onClose={() => setCreating(false)}
          onSaved={() => {
            setCreating(false);
            refetch({ requestPolicy: "network-only" });
          }}
          onTried={(name, preview) => setTried({ name, preview })}
        />
      )}
    </div>
  );
}

function RunLog({ rule, rules }: { rule: Rule | null; rules: readonly Rule[] }) {
  const { t, lang } = useI18n();
  const { location } = useApp();
  const [offset, setOffset] = useState(0);
  useEffect(() => setOffset(0), [rule?.id]);
  const [runs, refetch] = useQuery({ query: AutomationRunLogDocument, variables: { ruleId: rule?.id ?? null, page: { limit: RUNS, offset } }, requestPolicy: "cache-and-network" });
  const page = runs.data?.automationRuns;
  return (
    <Card
      title={rule ? t("autoRunsOf", { name: rule.name }) : t("autoRunsAll")}
      dense
      actions={<Button onClick={() => refetch({ requestPolicy: "network-only" })}>{t("refresh")}</Button>}
    >
      <ErrorBox error={describeError(runs.error, lang)} />
      {!page ? (
        <Loading />
      ) : page.items.length === 0 ? (
        <Empty>{t("autoNoRuns")}</Empty>
      ) : (
        <div className="overflow-x-auto">
          <table className="w-full text-sm">
            <thead>
              <tr className="border-b border-slate-200 text-left text-slate-500">
                <th className="py-1 pr-3 font-medium">{t("notifyWhen")}</th>
                {!rule && <th className="py-1 pr-3 font-medium">{t("autoRule")}</th>}
                <th className="py-1 pr-3 font-medium">{t("autoEvent")}</th>
                <th className="py-1 pr-3 font-medium">{t("autoClient")}</th>
                <th className="py-1 pr-3 font-medium">{t("status")}</th>
                <th className="py-1 font-medium">{t("autoDone")}</th>
              </tr>
            </thead>
            <tbody>
              {page.items.map((run) => (
                <tr key={run.id} data-testid="automation-run" className="border-b border-slate-100 align-top">
                  <td className="py-1.5 pr-3 whitespace-nowrap tabular-nums">{formatDateTime(run.createdAt, location.timezone, lang)}</td>
                  {!rule && <td className="py-1.5 pr-3">{rules.find((r) => r.id === run.ruleId)?.name ?? "—"}</td>}
                  <td className="py-1.5 pr-3">{eventLabel(t, run.eventKind)}</td>
                  <td className="py-1.5 pr-3">{run.client?.displayName ?? "—"}</td>
                  <td className="py-1.5 pr-3">
                    <span className={`rounded px-1.5 py-0.5 text-xs font-medium whitespace-nowrap ${statusTone[run.status] ?? ""}`}>{t(`autoStatus_${run.status}` as Key)}</span>
                  </td>
                  <td className="py-1.5 text-slate-700">
                    {run.actions.join("; ")}
                    {run.error && <div className="text-xs text-rose-700">{run.error}</div>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pager offset={page.pageInfo.offset} shown={page.items.length} total={page.pageInfo.total} size={RUNS} onOffset={setOffset} />
        </div>
      )}
    </Card>
  );
}

/** `payment.taken` reads as `autoTrigger_PAYMENT_TAKEN`. */
function eventLabel(t: ReturnType<typeof useI18n>["t"], kind: string): string {
  const keys: Record<string, AutomationTrigger> = {
    "payment.taken": "PAYMENT_TAKEN",
    "membership.sold": "MEMBERSHIP_SOLD",
    "membership.renewed": "MEMBERSHIP_RENEWED",
    "program.assigned": "PROGRAM_ASSIGNED",
    "program.started": "PROGRAM_STARTED",
    "program.completed": "PROGRAM_COMPLETED",
    "lead.received": "LEAD_RECEIVED",
    "appointment.booked": "APPOINTMENT_BOOKED",
    "client.stage_changed": "STAGE_CHANGED",
    "client.no_contact": "NO_CONTACT",
  };
  const trigger = keys[kind];
  return trigger ? t(`autoTrigger_${trigger}` as Key) : kind;
}

function DryRun({ name, variables, onClose }: { name: string; variables: { id: string; days: number }; onClose: () => void }) {
  const { lang } = useI18n();
  const [result] = useQuery({ query: AutomationDryRunDocument, variables, requestPolicy: "network-only" });
  const preview = result.data?.previewAutomationRule;
  if (!preview) {
    return (
      <Dialog title={name} onClose={onClose}>
        <ErrorBox error={describeError(result.error, lang)} />
        {!result.error && <Loading />}
      </Dialog>
    );
  }
  return <PreviewDialog name={name} preview={preview} onClose={onClose} />;
}

function PreviewDialog({ name, preview, onClose }: { name: string; preview: Preview; onClose: () => void }) {
  const { t, lang } = useI18n();
  const { location } = useApp();
  return (
    <Dialog title={t("autoTryTitle", { name })} onClose={onClose} wide>
      <div className="grid grid-cols-3 gap-2" data-testid="automation-preview">
        <Stat label={t("autoConsidered")} value={preview.considered} />
        <Stat label={t("autoMatched")} value={preview.matched} />
        <Stat label={t("autoWouldAct")} value={preview.wouldAct} tone={preview.wouldAct > 0 ? "good" : "default"} />
      </div>
      <p className="mt-2 text-xs text-slate-500">{t("autoTryHint")}</p>
      {preview.items.length === 0 ? (
        <Empty>{t("autoNothingWould")}</Empty>
      ) : (
        <div className="mt-2 max-h-96 overflow-auto">
          <table className="w-full text-sm">
            <thead>
              <tr className="border-b border-slate-200 text-left text-slate-500">
                <th className="py-1 pr-3 font-medium">{t("notifyWhen")}</th>
                <th className="py-1 pr-3 font-medium">{t("autoClient")}</th>
                <th className="py-1 font-medium">{t("autoWould")}</th>
              </tr>
            </thead>
            <tbody>
              {preview.items.map((item, i) => (
                <tr key={`${item.eventId ?? "scan"}-${item.client.id}-${i}`} className={`border-b border-slate-100 align-top ${item.acts ? "" : "text-slate-400"}`}>
                  <td className="py-1.5 pr-3 whitespace-nowrap tabular-nums">{formatDateTime(item.occurredAt, location.timezone, lang)}</td>
                  <td className="py-1.5 pr-3">{item.client.displayName}</td>
                  <td className="py-1.5">{item.actions.join("; ")}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Dialog>
  );
}

function NewRule({ stages, onClose, onSaved, onTried }: { stages: readonly Stage[]; onClose: () => void; onSaved: () => void; onTried: (name: string, preview: Preview) => void }) {
  const { t, lang } = useI18n();
  const [form, setForm] = useState({ name: "", trigger: "PAYMENT_TAKEN" as AutomationTrigger, days: "30", paymentFor: [] as PaymentKind[], toStage: "", action: "MOVE_TO_STAGE" as AutomationActionType, stageId: stages[0]?.id ?? "", tag: "", text: "", inDays: "1" });
  const [added, add] = useMutation(AddAutomationRuleDocument);
  const [trial, setTrial] = useState<{ fetching: boolean; error: CombinedError | null }>({ fetching: false, error: null });
  const client = useClient();
  const error = describeError(added.error ?? trial.error, lang);
  const set = (key: keyof typeof form) => (value: string) => setForm({ ...form, [key]: value });

  function input(): AutomationRuleInput {
    const action: AutomationActionInput = { type: form.action };
    if (form.action === "MOVE_TO_STAGE") action.stageId = form.stageId;
    if (form.action === "ADD_TAG" || form.action === "REMOVE_TAG") action.tag = form.tag;
    if (form.action === "SEND_MESSAGE" || form.action === "CREATE_INTERACTION") action.text = form.text;
    if (form.action === "SET_NEXT_CONTACT") action.inDays = Number(form.inDays);
    return {
      name: form.name,
      trigger: form.trigger,
      conditions: {
        days: form.trigger === "NO_CONTACT" ? Number(form.days) : null,
        paymentFor: form.trigger === "PAYMENT_TAKEN" && form.paymentFor.length ? form.paymentFor : null,
        toStage: form.trigger === "STAGE_CHANGED" && form.toStage ? form.toStage : null,
      },
      actions: [action],
    };
  }

  async function tryIt() {
    setTrial({ fetching: true, error: null });
    const res = await client.query(AutomationDryRunDocument, { input: input(), days: 30 }, { requestPolicy: "network-only" }).toPromise();
    setTrial({ fetching: false, error: res.error ?? null });
    if (res.data) onTried(form.name || t("autoNew"), res.data.previewAutomationRule);
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    const res = await add({ input: input() });
    if (!res.error) onSaved();
  }

  return (
    <Dialog
      title={t("autoNew")}
      onClose={onClose}
      wide
      footer={
        <>
          <Button onClick={() => void tryIt()} disabled={trial.fetching}>
            {t("autoTryDraft")}
          </Button>
          <Button tone="primary" type="submit" form="new-rule" disabled={added.fetching}>
            {t("save")}
          </Button>
        </>
      }
    >
      <form id="new-rule" onSubmit={(e) => void submit(e)} className="flex flex-col gap-3">
        <ErrorBox error={error} />
        <Field label={t("autoName")} value={form.name} onChange={(e) => set("name")(e.target.value)} apiField="input.name" error={error} required />
        <div className="grid grid-cols-1 gap-3 sm:grid-cols-2">
          <Select label={t("autoWhen")} value={form.trigger} onChange={(e) => set("trigger")(e.target.value)}>
            {TRIGGERS.map((tr) => (
              <option key={tr} value={tr}>
                {t(`autoTrigger_${tr}` as Key)}
              </option>
            ))}
          </Select>
          {form.trigger === "NO_CONTACT" && <Field label={t("autoDays")} type="number" min={1} value={form.days} onChange={(e) => set("days")(e.target.value)} apiField="input.conditions.days" error={error} />}
          {form.trigger === "STAGE_CHANGED" && (
            <Select label={t("autoToStage")} value={form.toStage} onChange={(e) => set("toStage")(e.target.value)}>
              <option value="">{t("autoAnyStage")}</option>
              {stages.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name}
                </option>
              ))}
            </Select>
          )}
        </div>
        {form.trigger === "PAYMENT_TAKEN" && (
          <fieldset className="flex flex-wrap gap-3">
            <legend className="mb-1 text-sm text-slate-600">{t("autoPaidFor")}</legend>
            {SOLD.map((k) => (
              <Checkbox
                key={k}
                label={t(`autoSold_${k}` as Key)}
                checked={form.paymentFor.includes(k)}
                onChange={(e) => setForm({ ...form, paymentFor: e.target.checked ? [...form.paymentFor, k] : form.paymentFor.filter((x) => x !== k) })}
              />
            ))}
          </fieldset>
        )}
        <div className="grid grid-cols-1 gap-3 sm:grid-cols-2">
          <Select label={t("autoThen")} value={form.action} onChange={(e) => set("action")(e.target.value)} apiField="input.actions" error={error}>
            {ACTIONS.map((a) => (
              <option key={a} value={a}>
                {t(`autoAction_${a}` as Key)}
              </option>
            ))}
          </Select>
          {form.action === "MOVE_TO_STAGE" && (
            <Select label={t("autoStage")} value={form.stageId} onChange={(e) => set("stageId")(e.target.value)} apiField="input.actions.0" error={error}>
              {stages.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name}
                </option>
              ))}
            </Select>
          )}
          {(form.action === "ADD_TAG" || form.action === "REMOVE_TAG") && <Field label={t("autoTag")} value={form.tag} onChange={(e) => set("tag")(e.target.value)} apiField="input.actions.0" error={error} />}
          {(form.action === "SEND_MESSAGE" || form.action === "CREATE_INTERACTION") && <Field label={t("autoText")} value={form.text} onChange={(e) => set("text")(e.target.value)} apiField="input.actions.0" error={error} />}
          {form.action === "SET_NEXT_CONTACT" && <Field label={t("autoInDays")} type="number" min={0} value={form.inDays} onChange={(e) => set("inDays")(e.target.value)} apiField="input.actions.0" error={error} />}
        </div>
      </form>
    </Dialog>
  );
}
