import { describe, expect, it } from 'vitest';
import { parseRoute } from '../../lib/router';
import { permalinkUrl } from './permalink';

describe('permalinks', () => {
  it('are absolute and open the message in its channel', () => {
    const url = permalinkUrl('dev team', 'm_1', { origin: 'https://chat.example', pathname: '/' });
    expect(url).toBe('https://chat.example/#/c/dev%20team/m/m_1');
    expect(parseRoute(new URL(url).hash)).toEqual({ name: 'channel', slug: 'dev team', messageId: 'm_1' });
  });

  it('leave a plain channel route without a message', () => {
    expect(parseRoute('#/c/dev')).toEqual({ name: 'channel', slug: 'dev' });
    expect(parseRoute('#/c/dev/m/')).toEqual({ name: 'channel', slug: null });
    expect(parseRoute('#/c/dev/x/1')).toEqual({ name: 'channel', slug: null });
  });
});
