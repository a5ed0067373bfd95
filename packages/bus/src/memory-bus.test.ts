import { describe, expect, it } from 'vitest';
import { createMemoryBus } from './memory-bus';
import { busContract, changeEvent } from './test/bus-contract';

busContract('Bus contract (memory)', createMemoryBus);

describe('memory bus', () => {
  it('is the memory kind and delivers before publish resolves', async () => {
    const bus = createMemoryBus();
    expect(bus.kind).toBe('memory');
    const got: unknown[] = [];
    await bus.subscribe('c', (e) => got.push(e));
    const published = bus.publish('c', changeEvent('c', 1));
    expect(got).toEqual([changeEvent('c', 1)]);
    await published;
  });

  it('delivers nothing after close', async () => {
    const bus = createMemoryBus();
    const got: unknown[] = [];
    await bus.subscribe('c', (e) => got.push(e));
    await bus.close();
    await bus.publish('c', changeEvent('c', 1));
    expect(got).toEqual([]);
  });
});
