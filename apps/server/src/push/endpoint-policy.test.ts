import { describe, expect, it } from 'vitest';
import { endpointProblem, isPublicAddress } from './endpoint-policy';
import { safeLookup } from './safe-lookup';

const strict = { allowLoopback: false };
const tests = { allowLoopback: true };

describe('push endpoint policy', () => {
  it('accepts the public https push services browsers use', () => {
    for (const endpoint of [
      'https://fcm.googleapis.com/fcm/send/dXJ0:APA91b',
      'https://updates.push.services.mozilla.com/wpush/v2/gAAAAA',
      'https://web.push.apple.com/QGuQyavXutnMH',
      'https://wns2-par02p.notify.windows.com/w/?token=BQYAAA',
      'https://8.8.8.8/push',
      'https://[2606:4700::1111]/push',
    ]) {
      expect(endpointProblem(endpoint, strict), endpoint).toBeNull();
    }
  });

  it('allows a loopback stand-in over http only when the tests ask for it', () => {
    expect(endpointProblem('http://127.0.0.1:4567/push/1', tests)).toBeNull();
    expect(endpointProblem('http://[::1]:4567/push/1', tests)).toBeNull();
    expect(endpointProblem('http://127.0.0.1:4567/push/1', strict)).toBe('the push endpoint must be an https URL');
    expect(endpointProblem('http://10.0.0.1:4567/push/1', tests)).toBe('the push endpoint must be an https URL');
    expect(endpointProblem('http://localhost:4567/push/1', tests)).toBe('the push endpoint must be an https URL');
  });

  it('tells public addresses from private, loopback, link-local, shared, reserved and mapped ones', () => {
    for (const ip of ['8.8.8.8', '1.1.1.1', '2606:4700::1111', '2a00:1450:4001::200e']) {
      expect(isPublicAddress(ip), ip).toBe(true);
    }
    for (const ip of [
      '0.0.0.0',
      '10.1.2.3',
      '100.64.0.1',
      '127.0.0.1',
      '169.254.169.254',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.0.1',
      '198.18.0.1',
      '224.0.0.1',
      '255.255.255.255',
      '::',
      '::1',
      '::ffff:127.0.0.1',
      '::ffff:10.0.0.1',
      'fe80::1',
      'fc00::1',
      'fd12:3456::1',
      'ff02::1',
      '2001:db8::1',
      '2002:a00:1::1',
      '64:ff9b::a00:1',
      'not an ip',
    ]) {
      expect(isPublicAddress(ip), ip).toBe(false);
    }
  });

  it('refuses, at connect time, a host name that resolves to a loopback address', async () => {
    const lookup = safeLookup(strict);
    const error = await new Promise<NodeJS.ErrnoException | null>((resolve) =>
      lookup('localhost', {}, (err) => resolve(err)),
    );
    expect(error?.code).toBe('EPUSHADDRESS');
    const allowed = await new Promise<string>((resolve, reject) =>
      safeLookup(tests)('localhost', { family: 4 }, (err, address) => (err ? reject(err) : resolve(address as string))),
    );
    expect(allowed).toBe('127.0.0.1');
  });
});
