import { useNotificationSettings } from './use-notification-settings';
import './notifications.css';

/** Mute or unmute a channel's notifications (mentions included); for the channel header. */
export function MuteToggle({ channelId }: { channelId: string }) {
  const { settings, setMuted } = useNotificationSettings();
  const muted = settings?.mutedChannelIds.includes(channelId) ?? false;
  return (
    <button
      type="button"
      className="button subtle mute-toggle"
      aria-pressed={muted}
      disabled={!settings}
      onClick={() => setMuted(channelId, !muted)}
      title={muted ? 'Notifications from this channel are off' : 'Turn off notifications from this channel'}
      data-testid="mute-toggle"
    >
      {muted ? 'Muted' : 'Mute'}
    </button>
  );
}
