import { messageHref } from '../../lib/router';

/** A message's absolute permalink: this app's address with the message's route (`#/c/<slug>/m/<id>`). */
export function permalinkUrl(slug: string, messageId: string, location: Pick<Location, 'origin' | 'pathname'>): string {
  return `${location.origin}${location.pathname}${messageHref(slug, messageId)}`;
}
