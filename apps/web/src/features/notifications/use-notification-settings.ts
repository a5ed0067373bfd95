import type { NotificationLevel, NotificationSettings } from '@hubbub/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { useTRPC } from '../../trpc';
import { rememberSettings } from './notify-if-hidden';

/**
 * The person's level and muted channels, and the changes to them. A change
 * shows at once and is put back if the server refuses it; the server's
 * answer (the new settings) then replaces the guess.
 */
export function useNotificationSettings() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const key = trpc.notification.settings.queryKey();
  const settings = useQuery(trpc.notification.settings.queryOptions());

  /** Shows `guess` now; then the server's answer, or what was there before if it refuses. */
  const changeTo = (guess: (current: NotificationSettings) => NotificationSettings) => {
    const before = queryClient.getQueryData<NotificationSettings>(key);
    if (before) queryClient.setQueryData(key, guess(before));
    return {
      onError: () => {
        if (before) queryClient.setQueryData(key, before);
      },
      onSuccess: (answer: NotificationSettings) => queryClient.setQueryData(key, answer),
    };
  };
  const setLevel = useMutation(trpc.notification.setLevel.mutationOptions());
  const mute = useMutation(trpc.notification.mute.mutationOptions());
  const unmute = useMutation(trpc.notification.unmute.mutationOptions());

  useEffect(() => {
    if (settings.data) rememberSettings(settings.data);
  }, [settings.data]);

  return {
    settings: settings.data,
    setLevel: (level: NotificationLevel) =>
      setLevel.mutate(
        { level },
        changeTo((s) => ({ ...s, level })),
      ),
    setMuted: (channelId: string, muted: boolean) =>
      (muted ? mute : unmute).mutate(
        { channelId },
        changeTo((s) => ({
          ...s,
          mutedChannelIds: muted
            ? [...new Set([...s.mutedChannelIds, channelId])].sort()
            : s.mutedChannelIds.filter((id) => id !== channelId),
        })),
      ),
  };
}
