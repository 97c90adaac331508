// Web Push for the signed-in client: the browser subscribes with the server's VAPID public
// key and the subscription is stored against the client; turning it off unsubscribes the
// browser and removes it from the server.
import { useEffect, useState } from "react";
import { useMutation, useQuery } from "urql";
import { CabinetDeletePushDocument, CabinetSavePushDocument, CabinetVapidKeyDocument } from "@clubgrid/client";
import { useText } from "./text";
import { Btn, ErrorNote, Panel } from "./ui";

/** A base64url VAPID key as the bytes `pushManager.subscribe` takes. */
export function keyBytes(base64url: string): Uint8Array<ArrayBuffer> {
  const base64 = (base64url + "=".repeat((4 - (base64url.length % 4)) % 4)).replace(/-/g, "+").replace(/_/g, "/");
  const raw = atob(base64);
  const bytes = new Uint8Array(new ArrayBuffer(raw.length));
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

const supported = typeof navigator !== "undefined" && "serviceWorker" in navigator && typeof window !== "undefined" && "PushManager" in window;

export function PushToggle() {
  const t = useText();
  const [key] = useQuery({ query: CabinetVapidKeyDocument, pause: !supported });
  const [saved, save] = useMutation(CabinetSavePushDocument);
  const [removed, remove] = useMutation(CabinetDeletePushDocument);
  const [subscription, setSubscription] = useState<PushSubscription | null>(null);
  const [failure, setFailure] = useState<Error | null>(null);

  useEffect(() => {
    if (!supported) return;
    void navigator.serviceWorker.ready.then((reg) => reg.pushManager.getSubscription()).then(setSubscription);
  }, []);

  const enable = async () => {
    setFailure(null);
    try {
      const vapid = key.data?.vapidPublicKey;
      if (!vapid) return;
      if ((await Notification.requestPermission()) !== "granted") return;
      const reg = await navigator.serviceWorker.ready;
      const sub = await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(vapid) });
      const json = sub.toJSON();
      const result = await save({ input: { endpoint: sub.endpoint, p256Dh: json.keys?.["p256dh"] ?? "", auth: json.keys?.["auth"] ?? "" } });
      if (result.error) await sub.unsubscribe();
      else setSubscription(sub);
    } catch (e) {
      setFailure(e instanceof Error ? e : new Error(String(e)));
    }
  };

  const disable = async () => {
    if (!subscription) return;
    const endpoint = subscription.endpoint;
    await subscription.unsubscribe();
    await remove({ endpoint });
    setSubscription(null);
  };

  return (
    <Panel title={t("notifications")}>
      {!supported && <p className="text-sm text-slate-500">{t("pushUnsupported")}</p>}
      <ErrorNote error={saved.error ?? removed.error ?? key.error ?? failure} />
      {supported && subscription && (
        <div className="flex flex-col gap-2">
          <p className="text-sm text-emerald-700">{t("pushOn")}</p>
          <Btn onClick={() => void disable()}>{t("disablePush")}</Btn>
        </div>
      )}
      {supported && !subscription && (
        <Btn primary disabled={!key.data || saved.fetching} onClick={() => void enable()}>
          {t("enablePush")}
        </Btn>
      )}
    </Panel>
  );
}
