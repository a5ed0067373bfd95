import { useCallback, useEffect, useState } from 'react';
import { navigate } from '../../lib/router';
import { type ApiClient, useTRPCClient } from '../../trpc';
import {
  currentSubscription,
  onOpenRequest,
  pushSupported,
  serviceWorkerReady,
  subscribeThisBrowser,
  subscriptionInput,
} from './push-browser';

/** Push on this browser: not possible here, blocked by the person, off, on, or changing. */
export type PushState = 'unsupported' | 'blocked' | 'off' | 'on' | 'working';

async function readState(): Promise<PushState> {
  if (!pushSupported()) return 'unsupported';
  if (Notification.permission === 'denied') return 'blocked';
  return Notification.permission === 'granted' && (await currentSubscription()) ? 'on' : 'off';
}

/** Asks for permission, subscribes this browser with the server's key and stores it on the server. */
export async function enablePush(client: ApiClient): Promise<PushState> {
  if (!pushSupported()) return 'unsupported';
  const permission = await Notification.requestPermission();
  if (permission !== 'granted') return permission === 'denied' ? 'blocked' : 'off';
  const { publicKey } = await client.notification.vapidPublicKey.query();
  if (!publicKey) throw new Error('this server does not send push notifications');
  const subscription = await subscribeThisBrowser(publicKey);
  await client.notification.subscribePush.mutate(subscriptionInput(subscription));
  return 'on';
}

/** Forgets this browser on the server, then drops its subscription (no more pushes here for anyone). */
export async function disablePush(client: ApiClient): Promise<PushState> {
  const subscription = await currentSubscription();
  if (subscription) {
    await client.notification.unsubscribePush.mutate({ endpoint: subscription.endpoint });
    await subscription.unsubscribe();
  }
  return readState();
}

/**
 * Push on this browser for the signed-in person: registers the service
 * worker, hands a subscription the browser already holds to the server again
 * (a browser may renew it; one shared by two people follows whoever signed
 * in), and follows the worker's "open this channel" after a click.
 */
export function usePushOnThisBrowser() {
  const client = useTRPCClient();
  const [state, setState] = useState<PushState>(() => (pushSupported() ? 'working' : 'unsupported'));

  useEffect(() => {
    if (!pushSupported()) return;
    let live = true;
    const stopListening = onOpenRequest((url) => navigate(url.hash || '#/'));
    (async () => {
      await serviceWorkerReady();
      if (Notification.permission !== 'granted' || !(await currentSubscription())) return;
      // Made anew if the server's key changed since (the old subscription would be refused by the push service).
      const { publicKey } = await client.notification.vapidPublicKey.query();
      if (!publicKey) return;
      const subscription = await subscribeThisBrowser(publicKey);
      await client.notification.subscribePush.mutate(subscriptionInput(subscription));
    })()
      .catch(() => {
        // Push stays as it was; the settings panel shows the state and can try again.
      })
      .finally(() => {
        void readState().then((s) => live && setState(s));
      });
    return () => {
      live = false;
      stopListening();
    };
  }, [client]);

  const run = useCallback(
    async (change: (client: ApiClient) => Promise<PushState>) => {
      setState('working');
      try {
        setState(await change(client));
      } catch (error) {
        setState(await readState());
        throw error;
      }
    },
    [client],
  );

  return {
    state,
    enable: () => run(enablePush),
    disable: () => run(disablePush),
    /** Before signing out: this browser stops receiving the person's notifications. */
    forget: async () => {
      await disablePush(client).catch(() => {});
    },
  };
}

export type PushControls = ReturnType<typeof usePushOnThisBrowser>;
