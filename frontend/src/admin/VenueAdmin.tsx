import { useState } from "react";
import { useMutation, useQuery } from "urql";
import { AdminVenueDocument, CreateResourceDocument, CreateZoneDocument, DeleteResourceDocument, DeleteZoneDocument, UpdateResourceDocument, UpdateZoneDocument } from "@clubgrid/client";
import type { AdminResourceFragment, AdminZoneFragment } from "@clubgrid/client";
import { useApp, useCan } from "../app/context";
import { describeError } from "../lib/errors";
import type { ShownError } from "../lib/errors";
import { enumLabel, useI18n } from "../lib/i18n";
import { Button, Card, Dialog, Empty, ErrorBox, Field, Loading, Select, TextArea } from "../ui/ui";

type Editing = { kind: "zone"; zone: AdminZoneFragment | null } | { kind: "pc"; pc: AdminResourceFragment | null; zoneId: string | null } | null;

/** The location's zones and the PCs in each: add, rename, reorder, move and delete. */
export function VenueAdmin() {
  const { t, lang } = useI18n();
  const { location } = useApp();
  const can = useCan();
  const [venue, refetch] = useQuery({ query: AdminVenueDocument, variables: { locationId: location.id }, requestPolicy: "cache-and-network" });
  const [editing, setEditing] = useState<Editing>(null);
  const [deletedZone, deleteZone] = useMutation(DeleteZoneDocument);
  const [deletedPc, deletePc] = useMutation(DeleteResourceDocument);
  const again = () => refetch({ requestPolicy: "network-only" });
  const zones = [...(venue.data?.zones ?? [])].sort((a, b) => a.sortOrder - b.sortOrder || a.name.localeCompare(b.name));
  const resources = venue.data?.resources.items ?? [];
  const inZone = (zoneId: string | null) => resources.filter((r) => (r.zoneId ?? null) === zoneId).sort((a, b) => a.sortOrder - b.sortOrder || a.name.localeCompare(b.name, undefined, { numeric: true }));
  const loose = inZone(null);
  const error = describeError(venue.error ?? deletedZone.error ?? deletedPc.error, lang);
  const canZone = can("Mutation.updateZone");
  const canPc = can("Mutation.updateResource");

  async function removeZone(zone: AdminZoneFragment) {
    if (!window.confirm(t("confirmDelete", { name: zone.name }))) return;
    const res = await deleteZone({ id: zone.id });
    if (!res.error) again();
  }
  async function removePc(pc: AdminResourceFragment) {
    if (!window.confirm(t("confirmDelete", { name: pc.name }))) return;
    const res = await deletePc({ id: pc.id });
    if (!res.error) again();
  }

  return (
    <Card
      title={t("zonesAndPcs")}
      actions={
        can("Mutation.createZone") && (
          <Button tone="primary" onClick={() => setEditing({ kind: "zone", zone: null })}>
            {t("newZone")}
          </Button>
        )
      }
    >
      <ErrorBox error={error} />
      {!venue.data ? (
        <Loading />
      ) : zones.length === 0 && loose.length === 0 ? (
        <Empty />
      ) : (
        <div className="flex flex-col gap-3" data-testid="zones-admin">
          {[...zones.map((z) => ({ zone: z as AdminZoneFragment | null, pcs: inZone(z.id) })), ...(loose.length ? [{ zone: null, pcs: loose }] : [])].map(({ zone, pcs }) => (
            <section key={zone?.id ?? "none"} className="rounded-md border border-slate-200" data-zone={zone?.name ?? ""}>
              <header className="flex flex-wrap items-center gap-2 border-b border-slate-100 bg-slate-50 px-3 py-2">
                <span className="h-3 w-3 rounded-full border border-slate-300" style={{ background: zone?.color ?? "transparent" }} aria-hidden />
                <h3 className="font-semibold">{zone?.name ?? t("noZone")}</h3>
                {zone?.description && <span className="text-sm text-slate-500">{zone.description}</span>}
                <span className="text-xs text-slate-400">
                  {pcs.length} {t("pcs")}
                </span>
                <span className="ml-auto flex flex-wrap gap-1">
                  {can("Mutation.createResource") && (
                    <Button className="px-2 py-0.5 text-xs" onClick={() => setEditing({ kind: "pc", pc: null, zoneId: zone?.id ?? null })}>
                      + {t("addPc")}
                    </Button>
                  )}
                  {zone && canZone && (
                    <Button className="px-2 py-0.5 text-xs" onClick={() => setEditing({ kind: "zone", zone })}>
                      {t("edit")}
                    </Button>
                  )}
                  {zone && can("Mutation.deleteZone") && (
                    <Button tone="ghost" className="px-2 py-0.5 text-xs text-rose-700" onClick={() => void removeZone(zone)} disabled={pcs.length > 0} title={pcs.length > 0 ? t("zoneNotEmpty") : t("delete")}>
                      {t("delete")}
                    </Button>
                  )}
                </span>
              </header>
              {pcs.length === 0 ? (
                <p className="px-3 py-2 text-sm text-slate-500">{t("noPcs")}</p>
              ) : (
                <ul className="grid grid-cols-[repeat(auto-fill,minmax(9rem,1fr))] gap-2 p-2">
                  {pcs.map((pc) => (
                    <li key={pc.id} data-admin-pc={pc.name} className="flex items-stretch rounded-md border border-slate-200 bg-white text-sm">
                      <button
                        type="button"
                        disabled={!canPc}
                        onClick={() => setEditing({ kind: "pc", pc, zoneId: pc.zoneId ?? null })}
                        aria-label={`${t("edit")} ${pc.name}`}
                        title={canPc ? t("edit") : undefined}
                        className="flex min-w-0 flex-1 flex-col items-start rounded-l-md px-2 py-1 text-left enabled:hover:bg-sky-50"
                      >
                        <span className="whitespace-nowrap font-medium">{pc.name}</span>
                        <span className="w-full truncate text-xs text-slate-500" title={pc.notes ?? ""}>
                          {[pc.kind !== "PC" ? enumLabel(t, pc.kind) : null, pc.notes].filter(Boolean).join(" · ") || "\u00a0"}
                        </span>
                      </button>
                      {can("Mutation.deleteResource") && (
                        <button type="button" onClick={() => void removePc(pc)} aria-label={`${t("delete")} ${pc.name}`} title={t("delete")} className="rounded-r-md border-l border-slate-200 px-2 text-slate-400 hover:bg-rose-50 hover:text-rose-700">
                          ×
                        </button>
                      )}
                    </li>
                  ))}
                </ul>
              )}
            </section>
          ))}
        </div>
      )}
      {editing?.kind === "zone" && (
        <ZoneDialog
          zone={editing.zone}
          onClose={() => setEditing(null)}
          onDone={() => {
            setEditing(null);
            again();
          }}
        />
      )}
      {editing?.kind === "pc" && (
        <PcDialog
          pc={editing.pc}
          zoneId={editing.zoneId}
          zones={zones}
          nextOrder={inZone(editing.zoneId).reduce((max, r) => Math.max(max, r.sortOrder), 0) + 1}
          onClose={() => setEditing(null)}
          onDone={() => {
            setEditing(null);
            again();
          }}
        />
      )}
    </Card>
  );
}

function ZoneDialog({ zone, onClose, onDone }: { zone: AdminZoneFragment | null; onClose: () => void; onDone: () => void }) {
  const { t, lang } = useI18n();
  const { location } = useApp();
  const [form, setForm] = useState({ name: zone?.name ?? "", description: zone?.description ?? "", color: zone?.color ?? "#0ea5e9", sortOrder: String(zone?.sortOrder ?? 0) });
  const [local, setLocal] = useState<ShownError | null>(null);
  const [created, create] = useMutation(CreateZoneDocument);
  const [updated, update] = useMutation(UpdateZoneDocument);
  const error = local ?? describeError(created.error ?? updated.error, lang);
  async function submit(e: React.FormEvent) {
    e.preventDefault();
    if (!/^-?\d+$/.test(form.sortOrder.trim())) return setLocal({ code: "VALIDATION", message: t("badNumber"), field: "input.sortOrder" });
    setLocal(null);
    const fields = { name: form.name.trim(), description: form.description.trim() || null, color: form.color || null, sortOrder: Number(form.sortOrder) };
    const res = zone ? await update({ id: zone.id, input: fields }) : await create({ input: { ...fields, locationId: location.id } });
    if (!res.error) onDone();
  }
  return (
    <Dialog
      title={zone ? t("editZone", { name: zone.name }) : t("newZone")}
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>{t("cancel")}</Button>
          <Button tone="primary" type="submit" form="zone-form" disabled={created.fetching || updated.fetching}>
            {t("save")}
          </Button>
        </>
      }
    >
      <form id="zone-form" onSubmit={submit} className="grid grid-cols-2 gap-3" noValidate>
        <Field label={t("name")} name="name" value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} apiField="name" error={error} className="col-span-2" autoFocus />
        <TextArea label={t("description")} name="description" value={form.description} onChange={(e) => setForm({ ...form, description: e.target.value })} apiField="description" error={error} className="col-span-2" rows={2} />
        <Field label={t("color")} name="color" type="color" value={form.color} onChange={(e) => setForm({ ...form, color: e.target.value })} apiField="color" error={error} className="[&_input]:h-9 [&_input]:p-1" />
        <Field label={t("sortOrder")} name="sortOrder" inputMode="numeric" value={form.sortOrder} onChange={(e) => setForm({ ...form, sortOrder: e.target.value })} apiField="sortOrder" error={error} />
        <div className="col-span-2">
          <ErrorBox error={error} />
        </div>
      </form>
    </Dialog>
  );
}

function PcDialog({ pc, zoneId, zones, nextOrder, onClose, onDone }: { pc: AdminResourceFragment | null; zoneId: string | null; zones: AdminZoneFragment[]; nextOrder: number; onClose: () => void; onDone: () => void }) {
  const { t, lang } = useI18n();
  const { location } = useApp();
  const [form, setForm] = useState({ name: pc?.name ?? "", zoneId: zoneId ?? "", notes: pc?.notes ?? "", sortOrder: String(pc?.sortOrder ?? nextOrder) });
  const [local, setLocal] = useState<ShownError | null>(null);
  const [created, create] = useMutation(CreateResourceDocument);
  const [updated, update] = useMutation(UpdateResourceDocument);
  const error = local ?? describeError(created.error ?? updated.error, lang);
  async function submit(e: React.FormEvent) {
    e.preventDefault();
    if (!/^-?\d+$/.test(form.sortOrder.trim())) return setLocal({ code: "VALIDATION", message: t("badNumber"), field: "input.sortOrder" });
    setLocal(null);
    const fields = { name: form.name.trim(), notes: form.notes.trim() || null, sortOrder: Number(form.sortOrder), zoneId: form.zoneId || null };
    const res = pc ? await update({ id: pc.id, input: fields }) : await create({ input: { ...fields, kind: "PC", locationId: location.id } });
    if (!res.error) onDone();
  }
  return (
    <Dialog
      title={pc ? t("editPc", { name: pc.name }) : t("newPc")}
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>{t("cancel")}</Button>
          <Button tone="primary" type="submit" form="pc-form" disabled={created.fetching || updated.fetching}>
            {t("save")}
          </Button>
        </>
      }
    >
      <form id="pc-form" onSubmit={submit} className="grid grid-cols-2 gap-3" noValidate>
        <Field label={t("name")} name="name" value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} apiField="name" error={error} autoFocus />
        <Select label={t("zone")} name="zoneId" value={form.zoneId} onChange={(e) => setForm({ ...form, zoneId: e.target.value })} apiField="zoneId" error={error}>
          <option value="">{t("noZone")}</option>
          {zones.map((z) => (
            <option key={z.id} value={z.id}>
              {z.name}
            </option>
          ))}
        </Select>
        <Field label={t("sortOrder")} name="sortOrder" inputMode="numeric" value={form.sortOrder} onChange={(e) => setForm({ ...form, sortOrder: e.target.value })} apiField="sortOrder" error={error} />
        <Field label={t("note")} name="notes" value={form.notes} onChange={(e) => setForm({ ...form, notes: e.target.value })} apiField="notes" error={error} />
        <div className="col-span-2">
          <ErrorBox error={error} />
        </div>
      </form>
    </Dialog>
  );
}
