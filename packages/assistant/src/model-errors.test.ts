import { APICallError, JSONParseError, TypeValidationError } from '@ai-sdk/provider';
import { describe, expect, it } from 'vitest';
import { describeModelError } from './model-errors';

const apiError = (statusCode: number | undefined, cause?: unknown) =>
  new APICallError({
    message: statusCode ? `HTTP ${statusCode}` : 'Cannot connect to API',
    url: 'http://127.0.0.1:11434/v1/chat/completions',
    requestBodyValues: { model: 'llama3' },
    statusCode,
    responseBody: '{"error":"nope"}',
    cause,
  });

const withCode = (code: string, message = 'connect') => Object.assign(new Error(message), { code });

describe('describeModelError', () => {
  it('explains a refused API key (401, 403)', () => {
    expect(describeModelError(apiError(401))).toBe(
      'the model endpoint refused the API key (HTTP 401): check OPENAI_API_KEY',
    );
    expect(describeModelError(apiError(403))).toBe(
      'the model endpoint refused the API key (HTTP 403): check OPENAI_API_KEY',
    );
  });

  it('explains an unknown model (404)', () => {
    expect(describeModelError(apiError(404))).toBe(
      'the model endpoint does not know this model (HTTP 404): check HUBBUB_MODEL',
    );
  });

  it('explains rate limiting (429)', () => {
    expect(describeModelError(apiError(429))).toBe(
      'the model endpoint is rate limiting (HTTP 429): try again in a moment',
    );
  });

  it('explains a server failure (5xx)', () => {
    expect(describeModelError(apiError(500))).toBe('the model endpoint failed (HTTP 500): try again later');
    expect(describeModelError(apiError(503))).toBe('the model endpoint failed (HTTP 503): try again later');
  });

  it('names any other status', () => {
    expect(describeModelError(apiError(400))).toBe('the model endpoint answered HTTP 400');
  });

  it('explains a refused connection found in the cause chain', () => {
    const fetchFailed = new TypeError('fetch failed', { cause: withCode('ECONNREFUSED') });
    const expected = 'could not reach the model endpoint (connection refused): is it running?';
    expect(describeModelError(fetchFailed)).toBe(expected);
    // The AI SDK wraps it in an APICallError without a status.
    expect(describeModelError(apiError(undefined, fetchFailed))).toBe(expected);
  });

  it('explains an unresolvable host and a dropped connection', () => {
    const dns = new TypeError('fetch failed', { cause: withCode('ENOTFOUND', 'getaddrinfo ENOTFOUND nowhere') });
    expect(describeModelError(dns)).toBe('could not resolve the model endpoint host: check OPENAI_BASE_URL');
    expect(describeModelError(withCode('EAI_AGAIN'))).toBe(
      'could not resolve the model endpoint host: check OPENAI_BASE_URL',
    );
    expect(describeModelError(new TypeError('terminated', { cause: withCode('UND_ERR_SOCKET') }))).toBe(
      'the model endpoint dropped the connection mid-reply',
    );
    expect(describeModelError(withCode('ECONNRESET'))).toBe('the model endpoint dropped the connection mid-reply');
  });

  it('explains a timeout', () => {
    const timeout = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    expect(describeModelError(timeout)).toBe('the model did not answer in time');
    const named = Object.assign(new Error('took too long'), { name: 'TimeoutError' });
    expect(describeModelError(named)).toBe('the model did not answer in time');
    expect(describeModelError(new TypeError('fetch failed', { cause: withCode('UND_ERR_HEADERS_TIMEOUT') }))).toBe(
      'the model did not answer in time',
    );
  });

  it('explains a malformed stream', () => {
    const parse = new JSONParseError({ text: '{"choices": [', cause: new SyntaxError('Unexpected end of JSON input') });
    expect(describeModelError(parse)).toBe('the model endpoint sent a malformed stream');
    const named = Object.assign(new Error('bad json'), { name: 'JSONParseError' });
    expect(describeModelError(named)).toBe('the model endpoint sent a malformed stream');
    const invalid = new TypeValidationError({ value: { nope: true }, cause: new Error('expected choices') });
    expect(describeModelError(invalid)).toBe('the model endpoint sent a malformed stream');
  });

  it('falls back to the message, cut to 300 characters, for anything else', () => {
    expect(describeModelError(new Error('something odd'))).toBe('the model failed: something odd');
    expect(describeModelError('a string')).toBe('the model failed: a string');
    expect(describeModelError(null)).toBe('the model failed: null');
    const long = describeModelError(new Error('x'.repeat(1000)));
    expect(long).toBe(`the model failed: ${'x'.repeat(300)}`);
  });
});
