import cluster, { Worker } from 'node:cluster';

/**
 * WEB_CONCURRENCY > 1: the worker processes of one instance talk through the primary (node:cluster's IPC),
 * so that they behave as one instance. Two kinds of message: a worker asks the primary (`ask`, answered
 * by the primary's handler, e.g. the instance's rate limit), and the primary passes a worker's news to
 * every other worker (`tell`, resolved once each has heard it, e.g. "these users were written").
 */
const CHANNEL = 'segments-workers';

interface Message {
  channel: typeof CHANNEL;
  id: number;
  kind: 'hello' | 'ask' | 'answer' | 'tell' | 'told' | 'hear' | 'heard';
  topic?: string;
  body?: unknown;
}

const isMessage = (message: unknown): message is Message =>
  typeof message === 'object' && message !== null && (message as Message).channel === CHANNEL;

/** How long a worker waits for the primary before going on without it (it is then gone or stuck). */
const ANSWER_WITHIN_MS = 2_000;

/** A worker's end: in a single process, `tell` has nobody to tell and `ask` answers locally. */
export class WorkerChannel {
  private readonly waiting = new Map<number, (body: unknown) => void>();
  private readonly listeners = new Map<string, ((body: unknown) => void)[]>();
  private lastId = 0;
  readonly shared = cluster.isWorker && typeof process.send === 'function';

  /**
   * Resolves once the primary passes this worker every later `tell` (it says hello; the primary passes news
   * only to workers that did). What was written before must reach this worker's state another way: the
   * WrittenSignal fences everything before this moment.
   */
  readonly ready: Promise<void>;

  constructor() {
    if (!this.shared) {
      this.ready = Promise.resolve();
      return;
    }
    process.on('message', (message: unknown) => this.receive(message));
    this.ready = new Promise((resolve) => this.waiting.set(0, () => resolve()));
    process.send!({ channel: CHANNEL, id: 0, kind: 'hello' } satisfies Message);
  }

  /** Runs `listener` for what another worker of this instance tells on `topic`. */
  hear<T>(topic: string, listener: (body: T) => void): void {
    this.listeners.set(topic, [...(this.listeners.get(topic) ?? []), listener as (body: unknown) => void]);
  }

  /** Tells every other worker; resolves once each has heard (at once when there are none). */
  async tell(topic: string, body: unknown): Promise<void> {
    if (this.shared) await this.send('tell', topic, body, undefined);
  }

  /** The primary's answer to `body` on `topic`, or `fallback` when it does not answer in time. */
  ask<T>(topic: string, body: unknown, fallback: T): Promise<T> {
    if (!this.shared) return Promise.resolve(fallback);
    return this.send('ask', topic, body, fallback) as Promise<T>;
  }

  private send(kind: 'ask' | 'tell', topic: string, body: unknown, fallback: unknown): Promise<unknown> {
    const id = ++this.lastId;
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.settle(id, fallback), ANSWER_WITHIN_MS);
      timer.unref();
      this.waiting.set(id, (answer) => {
        clearTimeout(timer);
        resolve(answer);
      });
      process.send!({ channel: CHANNEL, id, kind, topic, body } satisfies Message);
    });
  }

  private settle(id: number, body: unknown): void {
    const resolve = this.waiting.get(id);
    this.waiting.delete(id);
    resolve?.(body);
  }

  private receive(message: unknown): void {
    if (!isMessage(message)) return;
    if (message.kind === 'answer' || message.kind === 'told') return this.settle(message.id, message.body);
    if (message.kind !== 'hear') return;
    for (const listener of this.listeners.get(message.topic!) ?? []) listener(message.body);
    process.send!({ channel: CHANNEL, id: message.id, kind: 'heard' } satisfies Message);
  }
}

/**
 * The primary's end: answers `ask`s with `answer(topic, body)`, and passes each `tell` to the other live
 * workers, telling the sender once all have heard it (or exited).
 */
export function relayBetweenWorkers(
  workers: () => Iterable<Worker>,
  answer: (topic: string, body: unknown) => unknown,
): (sender: Worker, message: unknown) => void {
  let lastId = 0;
  const listening = new WeakSet<Worker>();
  const hearing = new Map<number, { left: Set<Worker>; done: () => void }>();
  const heard = (id: number, worker: Worker) => {
    const relay = hearing.get(id);
    if (!relay || !relay.left.delete(worker) || relay.left.size > 0) return;
    hearing.delete(id);
    relay.done();
  };
  cluster.on('exit', (worker) => {
    for (const id of [...hearing.keys()]) heard(id, worker);
  });
  const reply = (worker: Worker, message: Message) => {
    if (worker.isConnected()) worker.send(message);
  };
  return (sender, message) => {
    if (!isMessage(message)) return;
    if (message.kind === 'hello') {
      listening.add(sender);
      return reply(sender, { channel: CHANNEL, id: 0, kind: 'told' });
    }
    if (message.kind === 'heard') return heard(message.id, sender);
    if (message.kind === 'ask') {
      return reply(sender, {
        channel: CHANNEL,
        id: message.id,
        kind: 'answer',
        body: answer(message.topic!, message.body),
      });
    }
    if (message.kind !== 'tell') return;
    const others = new Set(
      [...workers()].filter((worker) => worker !== sender && listening.has(worker) && worker.isConnected()),
    );
    const done = () => reply(sender, { channel: CHANNEL, id: message.id, kind: 'told' });
    if (others.size === 0) return done();
    const id = ++lastId;
    hearing.set(id, { left: others, done });
    // A worker that does not answer (stopped, stuck) is not waited for past the sender's own patience.
    setTimeout(() => {
      if (hearing.delete(id)) done();
    }, ANSWER_WITHIN_MS).unref();
    for (const worker of others)
      worker.send({ channel: CHANNEL, id, kind: 'hear', topic: message.topic, body: message.body });
  };
}
