const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dayFormat = new Intl.DateTimeFormat(undefined, { weekday: 'short', month: 'short', day: 'numeric' });
const fullFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'short' });

/** "14:05" today, "Mon, Mar 3 14:05" otherwise. */
export function shortTime(iso: string, now = new Date()): string {
  const date = new Date(iso);
  const sameDay = date.toDateString() === now.toDateString();
  return sameDay ? timeFormat.format(date) : `${dayFormat.format(date)} ${timeFormat.format(date)}`;
}

/** "2:33" (no AM/PM): fits the narrow gutter beside grouped messages. */
export function clockTime(iso: string): string {
  return timeFormat
    .formatToParts(new Date(iso))
    .filter((p) => p.type === 'hour' || p.type === 'minute' || (p.type === 'literal' && p.value.trim() === ':'))
    .map((p) => p.value)
    .join('');
}

export function fullTime(iso: string): string {
  return fullFormat.format(new Date(iso));
}
