import type { NotificationLevel } from '@hubbub/core';
import { type Ref, useImperativeHandle, useRef } from 'react';
import { errorMessage } from '../../lib/errors';
import { toast } from '../../lib/toast';
import { useNotificationSettings } from './use-notification-settings';
import type { PushControls } from './use-push';
import './notifications.css';

export interface NotificationSettingsHandle {
  open(): void;
}

const LEVELS: { level: NotificationLevel; label: string; hint: string }[] = [
  { level: 'all', label: 'All new messages', hint: 'in every channel you are in' },
  { level: 'mentions', label: 'Mentions and direct messages', hint: 'when someone @mentions you or writes to you' },
  { level: 'nothing', label: 'Nothing', hint: 'no notifications at all' },
];

const PUSH_STATE_TEXT = {
  unsupported: 'This browser cannot show notifications from Hubbub (it needs https and a browser with Web Push).',
  blocked: 'Notifications are blocked for this site: allow them in the browser’s site settings, then come back.',
  off: 'Off on this browser.',
  on: 'On: this browser shows notifications, even when Hubbub is closed.',
  working: 'One moment…',
} as const;

/** Notify me about: all / mentions / nothing, and push on this browser. A modal <dialog>. */
export function NotificationSettingsDialog({
  ref,
  push,
}: {
  ref: Ref<NotificationSettingsHandle>;
  push: PushControls;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const { settings, setLevel } = useNotificationSettings();
  useImperativeHandle(ref, () => ({ open: () => dialog.current?.showModal() }));

  const change = (action: () => Promise<void>) => {
    action().catch((error: unknown) => toast(`Could not change notifications: ${errorMessage(error)}`));
  };

  return (
    <dialog ref={dialog} className="dialog" aria-labelledby="notification-settings-title">
      <div className="notification-settings" data-testid="notification-settings">
        <h2 id="notification-settings-title">Notifications</h2>
        <fieldset className="radio-group" disabled={!settings}>
          <legend>Notify me about</legend>
          {LEVELS.map(({ level, label, hint }) => (
            <label key={level}>
              <input
                type="radio"
                name="notification-level"
                value={level}
                checked={settings?.level === level}
                onChange={() => setLevel(level)}
                data-testid={`notification-level-${level}`}
              />
              <span>
                <strong>{label}</strong> — {hint}
              </span>
            </label>
          ))}
        </fieldset>
        <section className="push-here" aria-labelledby="push-here-title">
          <h3 id="push-here-title">On this browser</h3>
          <p className="push-state" data-testid="push-state" data-state={push.state}>
            {PUSH_STATE_TEXT[push.state]}
          </p>
          {(push.state === 'off' || push.state === 'on') && (
            <button
              type="button"
              className={push.state === 'on' ? 'button' : 'button primary'}
              onClick={() => change(push.state === 'on' ? push.disable : push.enable)}
              data-testid="push-toggle"
            >
              {push.state === 'on' ? 'Turn off on this browser' : 'Turn on for this browser'}
            </button>
          )}
        </section>
        <div className="dialog-actions">
          <button type="button" className="button" onClick={() => dialog.current?.close()}>
            Done
          </button>
        </div>
      </div>
    </dialog>
  );
}
