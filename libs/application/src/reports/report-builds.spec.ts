import { ReportsBusyError } from '@app/domain';
import { ReportBuilds } from './report-builds';

/** A build the test finishes by hand. */
function pending() {
  let finish!: (value: string) => void;
  const started = jest.fn();
  const build = () => {
    started();
    return new Promise<string>((resolve) => (finish = resolve));
  };
  return { build, started, finish: (value: string) => finish(value) };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('ReportBuilds', () => {
  it('runs at most `concurrency` builds; the next waits for a slot', async () => {
    const builds = new ReportBuilds(2, 5);
    const [a, b, c] = [pending(), pending(), pending()];
    const answers = [builds.run('a', a.build), builds.run('b', b.build), builds.run('c', c.build)];
    await settle();
    expect([a.started, b.started, c.started].map((fn) => fn.mock.calls.length)).toEqual([1, 1, 0]);
    expect(builds.counts).toEqual({ running: 2, queued: 1 });
    a.finish('A');
    await settle();
    expect(c.started).toHaveBeenCalledTimes(1);
    b.finish('B');
    c.finish('C');
    await expect(Promise.all(answers)).resolves.toEqual(['A', 'B', 'C']);
    expect(builds.counts).toEqual({ running: 0, queued: 0 });
  });

  it('shares one build between requests for the same file name', async () => {
    const builds = new ReportBuilds(2, 0);
    const a = pending();
    const second = jest.fn();
    const answers = [builds.run('same', a.build), builds.run('same', second)];
    await settle();
    a.finish('once');
    await expect(Promise.all(answers)).resolves.toEqual(['once', 'once']);
    expect(second).not.toHaveBeenCalled();
  });

  it('answers REPORTS_BUSY when the slots and the queue are full, and takes builds again once one ends', async () => {
    const builds = new ReportBuilds(1, 1);
    const [a, b] = [pending(), pending()];
    const first = builds.run('a', a.build);
    const second = builds.run('b', b.build);
    await expect(builds.run('c', jest.fn())).rejects.toBeInstanceOf(ReportsBusyError);
    a.finish('A');
    await first;
    await settle();
    const third = builds.run('c', async () => 'C');
    b.finish('B');
    await expect(Promise.all([second, third])).resolves.toEqual(['B', 'C']);
  });

  it('frees the slot and the name when a build fails', async () => {
    const builds = new ReportBuilds(1, 0);
    await expect(builds.run('a', async () => Promise.reject(new Error('storage down')))).rejects.toThrow(
      'storage down',
    );
    await expect(builds.run('a', async () => 'again')).resolves.toBe('again');
  });
});
