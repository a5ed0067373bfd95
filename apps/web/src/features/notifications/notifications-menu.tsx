import { useRef } from 'react';
import { NotificationSettingsDialog, type NotificationSettingsHandle } from './notification-settings-dialog';
import { usePushOnThisBrowser } from './use-push';

/**
 * What the shell needs to offer notifications from the user menu: the menu
 * item, the settings dialog it opens (rendered outside the menu, which
 * closes), and what to do before signing out (this browser stops receiving
 * the person's pushes). Mount it once, while signed in.
 */
export function useNotificationsMenu() {
  const push = usePushOnThisBrowser();
  const dialog = useRef<NotificationSettingsHandle>(null);
  return {
    menuItem: (
      <button
        type="button"
        role="menuitem"
        className="menu-item"
        onClick={() => dialog.current?.open()}
        data-testid="open-notification-settings"
      >
        Notifications…
      </button>
    ),
    dialog: <NotificationSettingsDialog ref={dialog} push={push} />,
    beforeLogout: push.forget,
  };
}
