import { describe, expect, it } from 'vitest';
import { channelSummary as channel } from '../chat/test-channels';
import { matchChannels } from './palette-options';

describe('matchChannels', () => {
  it('finds channels by slug or name, those starting with the text and joined first, at most five', () => {
    const list = [
      channel('frontend-dev', { joined: false }),
      channel('dev', { joined: true }),
      channel('devops', { joined: false }),
      channel('random', { name: 'Developers lounge' }),
      channel('general'),
    ];
    expect(matchChannels(list, '#dev', 'me').map((c) => c.slug)).toEqual(['dev', 'random', 'devops', 'frontend-dev']);
    expect(matchChannels(list, '  ', 'me')).toEqual([]);
    expect(
      matchChannels(
        Array.from({ length: 9 }, (_, i) => channel(`team${i}`)),
        'team',
        'me',
      ),
    ).toHaveLength(5);
  });
});
