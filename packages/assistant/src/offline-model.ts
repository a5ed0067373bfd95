import type { ModelMessage, TaskStats } from '@hubbub/core';
import { handMadeModel, type ModelProvider, type PromptView, tokenize } from './hand-made-model';

export { tokenize };

import { commandOf, type OfflineCall, resultsAnswer } from './offline-commands';

export interface OfflineModelOptions {
  /** Pause between bursts of tokens, like a real model's pace. Default 30 ms. */
  tokenIntervalMs?: number;
  /** Tokens per burst. Default 3. */
  tokensPerBurst?: number;
  /** Live facts it can report. */
  facts?: { taskStats(): Promise<TaskStats> };
}

const FOOTER =
  '\n\n_— Hubbub’s built-in offline model. To connect a real one, set `OPENAI_BASE_URL`, `OPENAI_API_KEY` and `HUBBUB_MODEL` and restart the server._';

const HELP = `Hi! I can help with Hubbub:

- **Chat**: channels in the sidebar; \`Enter\` sends, \`Shift+Enter\` adds a line. Mention \`@assistant\` to ask me.
- **Tasks**: the *Tasks* page shows agents' runs live — progress, logs, approvals. Run \`pnpm demo\` to watch a demo worker.
- **API**: every feature is a typed tRPC procedure over HTTP and WebSocket; scripts use \`@hubbub/client\`.

Ask me to **summarize** this channel (e.g. \`@assistant summarize 30\`) or for **task stats**. With tools, I can also:

- \`@assistant find <words>\`: search the messages you can read, and answer from the hits;
- \`@assistant create a task "<title>" for <agent>\`: create a task (once you approve it);
- \`@assistant plan: <first>; <second>; <third>\`: keep a plan in the conversation's *Plan* panel.`;

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    // Removed when the pause ends, or every burst would leave a listener on the reply's signal.
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });

function lastQuestion(messages: ModelMessage[]): string {
  const last = [...messages].reverse().find((m) => m.role === 'user')?.content ?? '';
  return (
    last
      .replace(/^[^:]{1,120}:\s*/, '')
      .replace(/@assistant\b/gi, '')
      // Any agent is asked by a mention first: "@planner plan: …".
      .replace(/^\s*(@[\w.-]+[\s,:]*)+/, '')
      .trim()
  );
}

function summarize(messages: ModelMessage[], count: number): string {
  const said = messages.filter((m) => m.role !== 'system').slice(-count - 1, -1);
  if (said.length === 0) return 'There is nothing to summarize yet: this channel has no earlier messages.';
  const people = new Map<string, number>();
  for (const m of said) {
    const name = m.role === 'assistant' ? 'assistant' : (m.content.match(/^([^:]{1,120}):/)?.[1] ?? 'someone');
    people.set(name, (people.get(name) ?? 0) + 1);
  }
  const who = [...people].sort((a, b) => b[1] - a[1]).map(([name, n]) => `${name} (${n})`);
  const points = said
    .filter((m) => m.role === 'user')
    .slice(-5)
    .map((m) => `- ${m.content.replace(/\s+/g, ' ').slice(0, 140)}`);
  return `**Summary of the last ${said.length} messages**\n\nWho spoke: ${who.join(', ')}.\n\nLatest points:\n${points.join('\n')}`;
}

async function taskReport(facts: OfflineModelOptions['facts']): Promise<string> {
  if (!facts) return 'I have no access to task figures here.';
  const { counts, lastHour } = await facts.taskStats();
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  if (total === 0) return 'No tasks yet. Create one on the *Tasks* page, or run `pnpm demo` to see agents at work.';
  return `**Tasks**: ${counts.in_progress} running, ${counts.queued} queued, ${counts.awaiting_approval} awaiting approval, ${counts.completed} completed, ${counts.failed} failed, ${counts.cancelled} cancelled.\n\nIn the last hour: ${lastHour.completed} completed, ${lastHour.failed} failed.`;
}

/** What the offline model says to a prompt: text, and the tool call a command asks for. */
export async function offlineTurn(
  prompt: PromptView,
  facts?: OfflineModelOptions['facts'],
): Promise<{ text: string; call?: OfflineCall }> {
  if (prompt.toolResults) return { text: resultsAnswer(prompt.toolResults) };
  const command = commandOf(lastQuestion(prompt.messages));
  if (!command) return { text: await offlineAnswer(prompt.messages, facts) };
  if (!prompt.tools.includes(command.call.toolName)) {
    return {
      text: `I would use the \`${command.call.toolName}\` tool for that, but this agent may not: an admin can allow it in the *Agents* dialog.`,
    };
  }
  return { text: command.intro, call: command.call };
}

/** What the offline model says: deterministic for the same conversation and facts. */
export async function offlineAnswer(messages: ModelMessage[], facts?: OfflineModelOptions['facts']): Promise<string> {
  const question = lastQuestion(messages);
  const q = question.toLowerCase();
  let body: string;
  if (!q || /^\/?help\b|what can you do|how (do|does|to)\b.*hubbub/.test(q)) body = HELP;
  else if (/summar/.test(q)) body = summarize(messages, Number(q.match(/\d+/)?.[0] ?? 20));
  else if (/\b(task|tasks|stats|status|runs?)\b/.test(q)) body = await taskReport(facts);
  else
    body = `I can’t reason freely without a connected model, but I heard you: “${question.slice(0, 200)}”.\n\nTry \`@assistant help\`, \`@assistant summarize\` or \`@assistant task stats\`.`;
  return body + FOOTER;
}

/**
 * The model Hubbub uses when none is configured: honest about what it is,
 * deterministic, useful for a few things (its commands call tools through
 * the same loop as a real model), and streaming at a realistic pace so stop,
 * regenerate, approvals and reconnects behave as with a real model.
 */
export function createOfflineModel(options: OfflineModelOptions = {}): ModelProvider {
  const interval = options.tokenIntervalMs ?? 30;
  const burst = options.tokensPerBurst ?? 3;
  return handMadeModel({ provider: 'hubbub-offline', model: 'hubbub-offline-1' }, async function* (prompt, signal) {
    const said = await offlineTurn(prompt, options.facts);
    const pieces = tokenize(said.text);
    for (let i = 0; i < pieces.length; i += burst) {
      if (i > 0) await sleep(interval, signal);
      if (signal.aborted) throw signal.reason;
      yield pieces.slice(i, i + burst).join('');
    }
    if (said.call) yield said.call;
  });
}
