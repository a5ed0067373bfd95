/**
 * `pnpm bench:message`: what one message costs a server apart from its fan-out. It sends `--messages`
 * (default 1,500) at `--rate` a second (default 50) to a place no subscriber hears them (the protocol's
 * warm-up publisher) and prints the server's CPU per message, the whole process and its main thread. At 1,000
 * subscribers a millisecond per message is a microsecond per delivery, so this is the part of the fan-out's
 * ratio to the floor that the floor does not pay. `--warm-up=N` (default 4,000, at 200 a second) first takes
 * the per-message path past V8's warm-up; `--server=raw-ws-floor` measures the floor's own (default hubbub).
 */
import { readFileSync } from 'node:fs';
import { parseFlags, wholeNumberFlag } from './flags';
import { protocols } from './protocols';
import { sendUnheard } from './scenarios';
import { type ServerKind, startServer } from './server-process';
import { parseProcStat } from './stats';

const flags = parseFlags();
const kind = (flags.server ?? 'hubbub') as ServerKind;
const messages = wholeNumberFlag('messages', flags.messages, 1500, 1);
const rate = wholeNumberFlag('rate', flags.rate, 50, 1);
const warmUp = wholeNumberFlag('warm-up', flags['warm-up'], 4000, 0);

const server = await startServer(kind);
try {
  const session = await protocols[kind].setup(server.port);
  const quiet = session.warmUp;
  if (!quiet) throw new Error(`${kind} has no place to send messages nobody hears`);
  if (warmUp > 0) await sendUnheard(server, quiet, warmUp);
  // The main thread's CPU: the rest of the process is V8's helpers (GC, compiler) and the workers.
  const mainThread = () => parseProcStat(readFileSync(`/proc/${server.pid}/task/${server.pid}/stat`, 'utf8'));
  const process0 = server.cpuSeconds();
  const main0 = mainThread();
  await sendUnheard(server, quiet, messages, rate);
  const perMessage = (seconds: number) => ((seconds * 1e6) / messages).toFixed(0);
  console.log(
    `${kind}: ${messages} messages at ${rate}/s after a warm-up of ${warmUp}: ` +
      `${perMessage(server.cpuSeconds() - process0)} µs of CPU per message (main thread ${perMessage(mainThread() - main0)})`,
  );
} finally {
  await server.stop();
}
