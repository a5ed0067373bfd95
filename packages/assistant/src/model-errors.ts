import { APICallError } from '@ai-sdk/provider';

function findCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; current && depth < 6; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** A model failure in words a person can act on (shown on the failed reply, and logged). */
export function describeModelError(error: unknown): string {
  if (APICallError.isInstance(error) && error.statusCode) {
    const status = error.statusCode;
    if (status === 401 || status === 403)
      return `the model endpoint refused the API key (HTTP ${status}): check OPENAI_API_KEY`;
    if (status === 404) return 'the model endpoint does not know this model (HTTP 404): check HUBBUB_MODEL';
    if (status === 429) return 'the model endpoint is rate limiting (HTTP 429): try again in a moment';
    if (status >= 500) return `the model endpoint failed (HTTP ${status}): try again later`;
    return `the model endpoint answered HTTP ${status}`;
  }
  const code = findCode(error);
  if (code === 'ECONNREFUSED') return 'could not reach the model endpoint (connection refused): is it running?';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return 'could not resolve the model endpoint host: check OPENAI_BASE_URL';
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return 'the model endpoint dropped the connection mid-reply';
  const name = (error as { name?: string } | null)?.name ?? '';
  if (name === 'TimeoutError' || code === 'UND_ERR_HEADERS_TIMEOUT') return 'the model did not answer in time';
  if (/JSONParse|TypeValidation|InvalidResponse/.test(name)) return 'the model endpoint sent a malformed stream';
  const message = error instanceof Error ? error.message : String(error);
  return `the model failed: ${message.slice(0, 300)}`;
}
