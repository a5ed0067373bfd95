import { readdirSync, readFileSync } from 'node:fs';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { inlineLimit } from './inline-limit';
import { openSqlite } from './open';
import { messages } from './schema';

describe('inlineLimit', () => {
  it('writes the limit into the statement, not among its parameters', () => {
    const handle = openSqlite(':memory:');
    try {
      const query = handle.db
        .select({ id: messages.id })
        .from(messages)
        .where(eq(messages.channelId, 'c'))
        .limit(inlineLimit(20))
        .toSQL();
      expect(query.sql).toMatch(/ limit 20$/);
      expect(query.params).toEqual(['c']);
      expect(handle.db.select().from(messages).limit(inlineLimit(0)).all()).toEqual([]);
    } finally {
      handle.close();
    }
  });

  it('takes only a whole number of at least 0, so nothing else reaches the text', () => {
    for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) {
      expect(() => inlineLimit(bad)).toThrow(RangeError);
    }
  });

  it('is how every SQLite store limits a read', () => {
    const dir = new URL('./', import.meta.url);
    const sources = readdirSync(dir).filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'));
    const bound = sources.flatMap((name) =>
      [
        ...readFileSync(new URL(name, dir), 'utf8').matchAll(/\.limit\((?!inlineLimit\()|limit \$\{(?!inlineLimit\()/g),
      ].map(() => name),
    );
    expect(sources.length).toBeGreaterThan(10);
    expect(bound).toEqual([]);
  });
});
