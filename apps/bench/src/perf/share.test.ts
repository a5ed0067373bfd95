import { describe, expect, it } from 'vitest';
import { fanOutShare, perfSamples } from './share';

/** Four samples as `perf script -F tid,ip,sym` prints them (two threads; one in a system call). */
const script = [
  '  100 ',
  '\t    7f01 Builtins_LoadIC',
  '\t    7f02 JS:*send file:///srv/packages/trpc-ws/src/push-subscription.ts:70:3',
  '\t    7f03 JS:*fanOut file:///srv/packages/bus/src/channel-hub.ts:75:22',
  '',
  '  100 ',
  '\t    7f04 uv_try_write',
  '\t    7f05 JS:*writeGeneric node:internal/stream_base_commons:148:22',
  '\t    7f03 JS:*fanOut file:///srv/packages/bus/src/channel-hub.ts:75:22',
  '',
  '  100 ',
  '\t    ffff1 tcp_sendmsg',
  '\t    ffff2 entry_SYSCALL_64_after_hwframe',
  '\t    7f03 JS:*fanOut file:///srv/packages/bus/src/channel-hub.ts:75:22',
  '',
  '  101 ',
  '\t    7f06 v8::internal::Heap::Scavenge',
  '',
].join('\n');

describe('the fan-out share of a perf recording', () => {
  it('reads each sample as its thread and its frames, innermost first', () => {
    const samples = perfSamples(script);
    expect(samples).toHaveLength(4);
    expect(samples[0]).toEqual({
      tid: '100',
      frames: [
        'Builtins_LoadIC',
        'JS:*send file:///srv/packages/trpc-ws/src/push-subscription.ts:70:3',
        'JS:*fanOut file:///srv/packages/bus/src/channel-hub.ts:75:22',
      ],
    });
  });

  it("counts the main thread's fan-out samples outside system calls, and those in Hubbub's own code", () => {
    expect(fanOutShare(perfSamples(script))).toEqual({ samples: 2, own: 1, share: 0.5 });
  });
});
