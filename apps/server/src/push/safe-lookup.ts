import { type LookupAddress, lookup } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { addressAllowed, type EndpointPolicy } from './endpoint-policy';

/**
 * A DNS lookup for the push requests' sockets that refuses a host name with
 * any address the policy forbids: a public-looking name may resolve to
 * 10.0.0.5 (or change to it after the subscription was checked: DNS
 * rebinding). The socket connects only to the addresses checked here.
 */
export function safeLookup(policy: EndpointPolicy): LookupFunction {
  return (hostname, options, callback) => {
    lookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, '', 0);
      const refused = addresses.find((a) => !addressAllowed(a.address, policy));
      if (refused || addresses.length === 0) {
        const denied = Object.assign(new Error('the push service host resolves to an address that is not public'), {
          code: 'EPUSHADDRESS',
        });
        return callback(denied, '', 0);
      }
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      const [first] = addresses as [LookupAddress];
      callback(null, first.address, first.family);
    });
  };
}
