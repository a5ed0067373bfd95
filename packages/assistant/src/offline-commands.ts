import type { ToolResultView } from './hand-made-model';

/** A tool call the offline model makes for a command. */
export interface OfflineCall {
  toolName: string;
  input: Record<string, unknown>;
}

/**
 * The offline model's commands: each is one tool call (and a line said before
 * it), so the tool loop, its cards and approvals can be seen with no model.
 */
export function commandOf(question: string): { intro: string; call: OfflineCall } | null {
  const find = question.match(/^find\s+(.+)$/is);
  if (find?.[1]) {
    const query = find[1].trim().slice(0, 200);
    return { intro: `Searching for “${query}”…`, call: { toolName: 'search_messages', input: { query } } };
  }
  const task = question.match(/^create\s+(?:a\s+)?task\s+["“]([^"”]+)["”](?:\s+for\s+@?([A-Za-z0-9_.-]+))?/i);
  if (task?.[1]) {
    const title = task[1].trim().slice(0, 200);
    const agent = task[2];
    return {
      intro: `I’ll create the task “${title}”${agent ? ` for ${agent}` : ''}.`,
      call: { toolName: 'create_task', input: agent ? { title, agent } : { title } },
    };
  }
  const plan = question.match(/^plan:\s*(.+)$/is);
  if (plan?.[1]) {
    const items = plan[1]
      .split(/[;\n]/)
      .map((item) => item.trim())
      .filter(Boolean)
      .slice(0, 50)
      .map((content) => ({ content: content.slice(0, 300), status: 'pending' }));
    if (items.length > 0) return { intro: 'Here is the plan.', call: { toolName: 'update_todos', input: { items } } };
  }
  return null;
}

const record = (value: unknown): Record<string, unknown> =>
  value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const oneLine = (value: unknown, max: number) =>
  String(value ?? '')
    .replace(/\s+/g, ' ')
    .slice(0, max);

/** What the offline model says once its tool calls have results. */
export function resultsAnswer(results: ToolResultView[]): string {
  return results.map(resultAnswer).join('\n\n');
}

function resultAnswer(result: ToolResultView): string {
  if (result.denied !== undefined) {
    return `OK — I did not run \`${result.toolName}\`: it was denied${result.denied ? ` (“${result.denied}”)` : ''}.`;
  }
  if (result.error !== undefined) return `The \`${result.toolName}\` tool failed: ${result.error}`;
  const output = record(result.output);
  switch (result.toolName) {
    case 'search_messages': {
      const hits = list(output.hits).map(record);
      if (hits.length === 0) return 'I found no messages matching that (among those you can read).';
      const lines = hits
        .slice(0, 5)
        .map((hit) => `- **#${oneLine(hit.channel, 80)}** ${oneLine(hit.author, 80)}: ${oneLine(hit.text, 160)}`);
      return `I found ${hits.length}${output.more ? '+' : ''} matching message${hits.length === 1 ? '' : 's'}:\n\n${lines.join('\n')}`;
    }
    case 'create_task':
      return `Done: the task “${oneLine(output.title, 200)}” is ${oneLine(output.status, 40).replace('_', ' ')}${output.agent ? ` for ${oneLine(output.agent, 80)}` : ''}. It is on the *Tasks* page.`;
    case 'update_todos': {
      const items = list(output.items);
      return `The plan has ${items.length} step${items.length === 1 ? '' : 's'}: it is in the *Plan* panel, where you can tick them off.`;
    }
    default:
      return `\`${result.toolName}\` answered.`;
  }
}
