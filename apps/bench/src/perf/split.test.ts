import { describe, expect, it } from 'vitest';
import { perfSamples } from './share';
import { cpuSplit, restFrames } from './split';

/** Six samples as `perf script -F tid,time,ip,sym` prints them: four on the main thread (100), two on others. */
const script = [
  '  100 5001.250000: ',
  '\t    7f01 uv_try_write',
  '\t    7f02 JS:*writeGeneric node:internal/stream_base_commons:148:22',
  '\t    7f03 JS:*fanOut file:///srv/packages/bus/src/channel-hub.ts:75:22',
  '',
  '  100 5001.250250: ',
  '\t    ffff1 tcp_sendmsg',
  '\t    ffff2 entry_SYSCALL_64_after_hwframe',
  '\t    7f03 JS:*fanOut file:///srv/packages/bus/src/channel-hub.ts:75:22',
  '',
  '  100 5001.250500: ',
  '\t    7f04 sqlite3VdbeExec',
  '\t    7f05 JS:^flushSends file:///srv/packages/db/src/sqlite/chat-store.ts:263:22',
  '\t    7f09 node::Environment::CheckImmediate',
  '\t    7f0a uv_run',
  '',
  '  100 5001.250750: ',
  '\t    7f06 epoll_pwait',
  '',
  '  101 5001.251000: ',
  '\t    7f07 v8::internal::ConcurrentMarking::RunMajor',
  '',
  '  102 5001.251250: ',
  '\t    7f08 v8::internal::compiler::GraphReducer::ReduceTop',
  '',
].join('\n');

describe("a server's CPU per message, split", () => {
  it('reads the time of each sample when the script printed it', () => {
    expect(perfSamples(script).map((sample) => sample.time)).toEqual([
      5001.25, 5001.25025, 5001.2505, 5001.25075, 5001.251, 5001.25125,
    ]);
  });

  it("books the main thread's samples to its fan-out (system calls, user space) or the rest, and the others by kind", () => {
    // At 1,000 samples a second, each sample is 1 ms of CPU; over 2 messages, 500 µs per message.
    expect(cpuSplit(perfSamples(script), { loop: 'fanOut', hz: 1000, messages: 2 })).toEqual({
      fanOutSystem: 500,
      fanOutUser: 500,
      rest: 1000,
      gc: 500,
      compile: 500,
      otherThreads: 0,
    });
  });

  it("lists the frames the rest of the main thread spends most under, inclusive, the heaviest first, the event loop's left out", () => {
    // The rest is two samples: the store's statement (under flushSends) and the event loop's wait.
    expect(restFrames(perfSamples(script), { loop: 'fanOut', hz: 1000, messages: 2, top: 2 })).toEqual([
      { frame: 'sqlite3VdbeExec', us: 500 },
      { frame: 'JS:^flushSends file:///srv/packages/db/src/sqlite/chat-store.ts:263:22', us: 500 },
    ]);
    // Asked for more: the event loop's frames (CheckImmediate, uv_run) are not among them.
    const all = restFrames(perfSamples(script), { loop: 'fanOut', hz: 1000, messages: 1, top: 5 });
    expect(all.map(({ frame }) => frame)).toEqual([
      'sqlite3VdbeExec',
      'JS:^flushSends file:///srv/packages/db/src/sqlite/chat-store.ts:263:22',
      'epoll_pwait',
    ]);
  });
});
