import { WorkerChannel } from '../workers/worker-channel';
import { ReadCache } from './read-cache';
import { WriteFences } from './write-fences';
import { WrittenSignal } from './written-signal';

describe('WrittenSignal', () => {
  const now = new Date('2030-01-01T00:00:00Z');
  const setUp = () => {
    const cache = new ReadCache(10, true);
    const fences = new WriteFences(60_000);
    const told: unknown[] = [];
    const workers = Object.assign(new WorkerChannel(), {
      tell: async (_: string, body: unknown) => void told.push(body),
    });
    for (const user of [1, 2]) cache.keep(cache.startFill(user), [], now);
    return { cache, fences, told, signal: new WrittenSignal(fences, workers, cache) };
  };

  it("empties the written users' cache entries, fences their reads and tells the other workers, once", async () => {
    const { cache, fences, told, signal } = setUp();
    await signal.written([1]);
    expect([cache.get(1, now), cache.get(2, now), fences.ofUser(1) > 0, fences.ofUser(2)]).toEqual([
      undefined,
      [],
      true,
      0,
    ]);
    expect(told).toEqual([[1]]);
  });

  it('empties the whole cache and fences every read for everyone; what it hears it tells nobody', () => {
    const { cache, fences, told, signal } = setUp();
    signal.heard('everyone');
    expect([cache.size, fences.ofUser(2) > 0, told]).toEqual([0, true, []]);
  });
});
