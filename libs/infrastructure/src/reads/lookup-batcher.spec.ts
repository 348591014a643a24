import { DatabaseBusyError } from '../database/database-errors';
import { LookupBatcher, lookupsWaiting } from './lookup-batcher';

/** A load whose calls the test settles by hand. */
function controlledLoad() {
  const calls: Array<{ keys: number[]; resolve(values: string[]): void; reject(error: Error): void }> = [];
  const load = (keys: number[]) =>
    new Promise<string[]>((resolve, reject) => {
      calls.push({ keys, resolve, reject });
    });
  return { calls, load };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('LookupBatcher', () => {
  it('answers a lone lookup with its own load', async () => {
    const batcher = new LookupBatcher(async (keys: number[]) => keys.map((key) => `v${key}`), 2, 10);
    await expect(batcher.get(7)).resolves.toBe('v7');
  });

  it('sends lookups asked in one turn together, each answered with its own value, duplicates included', async () => {
    const { calls, load } = controlledLoad();
    const batcher = new LookupBatcher(load, 1, 10);
    const answers = [batcher.get(1), batcher.get(2), batcher.get(1)];
    await tick();
    expect(calls.map((call) => call.keys)).toEqual([[1, 2, 1]]);
    calls[0].resolve(['a', 'b', 'c']);
    await expect(Promise.all(answers)).resolves.toEqual(['a', 'b', 'c']);
  });

  it('keeps at most maxInFlight loads running; what waits goes in the next one', async () => {
    const { calls, load } = controlledLoad();
    const batcher = new LookupBatcher(load, 1, 10);
    const first = batcher.get(1);
    await tick();
    const waiting = [batcher.get(2), batcher.get(3)];
    await tick();
    expect(calls.map((call) => call.keys)).toEqual([[1]]);
    calls[0].resolve(['one']);
    await first;
    await tick();
    expect(calls.map((call) => call.keys)).toEqual([[1], [2, 3]]);
    calls[1].resolve(['two', 'three']);
    await expect(Promise.all(waiting)).resolves.toEqual(['two', 'three']);
  });

  it('splits what waits into loads of at most maxBatch keys', async () => {
    const { calls, load } = controlledLoad();
    const batcher = new LookupBatcher(load, 4, 2);
    const answers = [1, 2, 3, 4, 5].map((key) => batcher.get(key));
    for (let i = 0; i < 5; i++) await tick();
    expect(calls.map((call) => call.keys)).toEqual([[1, 2], [3, 4], [5]]);
    for (const call of calls) call.resolve(call.keys.map(String));
    await expect(Promise.all(answers)).resolves.toEqual(['1', '2', '3', '4', '5']);
  });

  it('fails every lookup of a failed load, and carries on with the next ones', async () => {
    const { calls, load } = controlledLoad();
    const batcher = new LookupBatcher(load, 1, 10);
    const failed = [batcher.get(1), batcher.get(2)];
    await tick();
    calls[0].reject(new Error('database down'));
    await expect(Promise.allSettled(failed)).resolves.toEqual([
      { status: 'rejected', reason: new Error('database down') },
      { status: 'rejected', reason: new Error('database down') },
    ]);
    const next = batcher.get(3);
    await tick();
    calls[1].resolve(['three']);
    await expect(next).resolves.toBe('three');
  });

  it('fails the lookups when the load throws instead of rejecting', async () => {
    const batcher = new LookupBatcher<number, string>(
      () => {
        throw new Error('bad');
      },
      1,
      10,
    );
    await expect(batcher.get(1)).rejects.toThrow('bad');
  });

  it('fails a lookup not answered within waitMs, waiting for its turn or in a load; the load stays in flight until it ends', async () => {
    const { calls, load } = controlledLoad();
    const batcher = new LookupBatcher(load, 1, 10, { waitMs: 200, maxWaiting: 100 });
    const sent = batcher.get(1);
    await tick();
    const waiting = batcher.get(2);
    expect(lookupsWaiting()).toBe(1);
    await expect(waiting).rejects.toBeInstanceOf(DatabaseBusyError);
    await expect(sent).rejects.toBeInstanceOf(DatabaseBusyError);
    expect(lookupsWaiting()).toBe(0);
    const next = batcher.get(3);
    await tick();
    expect(calls.map((call) => call.keys)).toEqual([[1]]);
    calls[0].resolve(['one']);
    await tick();
    await tick();
    expect(calls.map((call) => call.keys)).toEqual([[1], [3]]);
    calls[1].resolve(['three']);
    await expect(next).resolves.toBe('three');
  });

  it('refuses a lookup at once when maxWaiting others wait', async () => {
    const { calls, load } = controlledLoad();
    const batcher = new LookupBatcher(load, 1, 10, { waitMs: 60_000, maxWaiting: 2 });
    const sent = batcher.get(1);
    await tick();
    const waiting = [batcher.get(2), batcher.get(3)];
    await expect(batcher.get(4)).rejects.toBeInstanceOf(DatabaseBusyError);
    calls[0].resolve(['one']);
    await sent;
    await tick();
    calls[1].resolve(['two', 'three']);
    await expect(Promise.all(waiting)).resolves.toEqual(['two', 'three']);
    expect(lookupsWaiting()).toBe(0);
  });
});
