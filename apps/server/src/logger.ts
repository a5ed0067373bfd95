import pino from 'pino';

export type Logger = pino.Logger;

/** Structured logs; anything that looks like a credential is redacted. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'hubbub' },
      redact: {
        paths: ['token', 'password', '*.token', '*.password', 'req.headers.authorization', 'headers.authorization'],
        censor: '[redacted]',
      },
    },
    destination,
  );
}

/** A URL path safe to log: the query string (which may carry ?token=) is dropped. */
export function safePath(url: string | undefined): string {
  return (url ?? '/').split('?')[0] ?? '/';
}
