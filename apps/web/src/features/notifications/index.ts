/** Notifications in the web app: settings, push on this browser, channel mutes, and in-tab notices. */
export { MuteToggle } from './mute-toggle';
export { useNotificationsMenu } from './notifications-menu';
export { noticeWanted, notifyIfHidden } from './notify-if-hidden';
