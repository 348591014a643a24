import type { components, operations } from './openapi';
import { CallOptions, jsonOf, Transport, TransportOptions } from './transport';
import { BatcherOptions, Membership, UserSegmentsBatcher } from './user-segments-batcher';

type Schemas = components['schemas'];
type JsonOf<T> = T extends { content: { 'application/json': infer Body } } ? Body : never;
type BodyOf<Op extends keyof operations> = JsonOf<operations[Op]['requestBody']>;
type QueryOf<Op extends keyof operations> = NonNullable<operations[Op]['parameters']['query']>;
type OkOf<Op extends keyof operations> = JsonOf<
  operations[Op]['responses'][keyof operations[Op]['responses'] & (200 | 201)]
>;

export type ClientOptions = TransportOptions & BatcherOptions;
export type ChangeSet = Schemas['ChangeSetDto'];

/**
 * The segmentation service's API, one method per operation of docs/openapi.json (named by its
 * operationId). Every method rejects with a SegmentsError whose `code` is one the operation documents
 * (`ErrorCodeOf<'getSegment'>`), or TIMEOUT / NETWORK_ERROR / UNEXPECTED_RESPONSE.
 *
 * Reads and change sets are retried on 503 (after `Retry-After` when given) and on timeouts and network
 * errors, with exponential backoff and jitter; never on 4xx. Other writes are not retried: a repeated
 * create answers 409, a repeated delete 404, a repeated registration counts nobody as new.
 */
export class SegmentsClient {
  private readonly transport: Transport;
  private readonly batcher: UserSegmentsBatcher;

  constructor(options: ClientOptions) {
    this.transport = new Transport(options);
    this.batcher = new UserSegmentsBatcher(this.transport, options);
  }

  /**
   * The user's active segments, for the hot path: calls of one tick share one request (see
   * UserSegmentsBatcher), answers are reused for at most `maxStaleMs`.
   */
  segmentsOf(userId: number): Promise<Membership[]> {
    return this.batcher.segmentsOf(userId);
  }

  listSegments(query: QueryOf<'listSegments'> = {}, options?: CallOptions): Promise<OkOf<'listSegments'>> {
    return this.json({ method: 'GET', path: '/api/v1/segments', query, retryable: true, ...options });
  }

  createSegment(body: BodyOf<'createSegment'>, options?: CallOptions): Promise<OkOf<'createSegment'>> {
    return this.json({ method: 'POST', path: '/api/v1/segments', body, retryable: false, ...options });
  }

  getSegment(slug: string, options?: CallOptions): Promise<OkOf<'getSegment'>> {
    return this.json({ method: 'GET', path: `/api/v1/segments/${segment(slug)}`, retryable: true, ...options });
  }

  updateSegment(slug: string, body: BodyOf<'updateSegment'>, options?: CallOptions): Promise<OkOf<'updateSegment'>> {
    return this.json({
      method: 'PATCH',
      path: `/api/v1/segments/${segment(slug)}`,
      body,
      retryable: false,
      ...options,
    });
  }

  async deleteSegment(slug: string, options?: CallOptions): Promise<void> {
    await this.transport.send({
      method: 'DELETE',
      path: `/api/v1/segments/${segment(slug)}`,
      retryable: false,
      ...options,
    });
  }

  listSegmentMembers(
    slug: string,
    query: QueryOf<'listSegmentMembers'> = {},
    options?: CallOptions,
  ): Promise<OkOf<'listSegmentMembers'>> {
    const path = `/api/v1/segments/${segment(slug)}/members`;
    return this.json({ method: 'GET', path, query, retryable: true, ...options });
  }

  /** One request for up to 1000 ids, as given; segmentsOf() batches and splits by itself. */
  lookUpUsersSegments(userIds: number[], options?: CallOptions): Promise<OkOf<'lookUpUsersSegments'>> {
    const body = { user_ids: userIds };
    return this.json({ method: 'POST', path: '/api/v1/users/lookup', body, retryable: true, ...options });
  }

  registerUsers(userIds: number[], options?: CallOptions): Promise<OkOf<'registerUsers'>> {
    const body = { user_ids: userIds };
    return this.json({ method: 'POST', path: '/api/v1/users', body, retryable: false, ...options });
  }

  /** One GET, unconditional and uncached; segmentsOf() is the cached, batched form. */
  getUserSegments(userId: number, options?: CallOptions): Promise<OkOf<'getUserSegments'>> {
    return this.json({ method: 'GET', path: `/api/v1/users/${user(userId)}/segments`, retryable: true, ...options });
  }

  /**
   * Applies a change set atomically. It is retried like a read when it names no `ttl`: a change set
   * says what the user's memberships become (these joined, with this expiry; those left), so a repeat
   * after a lost answer finds the work done and changes nothing, history included (adding a held segment
   * writes no history, removing one not held is a no-op; docs/api.md, "Errors"). A `ttl` counts from the
   * request's arrival, so a repeat would move the expiry later: such change sets are sent once (give
   * `expires_at` instead to have them retried). The answer becomes what segmentsOf() returns for the user.
   */
  async changeUserSegments(
    userId: number,
    changes: ChangeSet,
    options?: CallOptions,
  ): Promise<OkOf<'changeUserSegments'>> {
    const askedAt = Date.now();
    const answer = await this.json<OkOf<'changeUserSegments'>>({
      method: 'PATCH',
      path: `/api/v1/users/${user(userId)}/segments`,
      body: changes,
      retryable: !namesTtl(changes),
      ...options,
    });
    this.batcher.remember(answer.user_id, answer.segments, askedAt);
    return answer;
  }

  getUserHistory(
    userId: number,
    query: QueryOf<'getUserHistory'> = {},
    options?: CallOptions,
  ): Promise<OkOf<'getUserHistory'>> {
    const path = `/api/v1/users/${user(userId)}/history`;
    return this.json({ method: 'GET', path, query, retryable: true, ...options });
  }

  /** Builds (or rebuilds) a monthly report; REPORTS_BUSY is a 503 and retried after its Retry-After. */
  buildHistoryReport(query: QueryOf<'buildHistoryReport'>, options?: CallOptions): Promise<OkOf<'buildHistoryReport'>> {
    return this.json({ method: 'GET', path: '/api/v1/reports/history', query, retryable: true, ...options });
  }

  /** The report's CSV text; `name` is the last part of the report's `url`. */
  async downloadReportFile(name: string, options?: CallOptions): Promise<string> {
    const path = `/api/v1/reports/files/${encodeURIComponent(name)}`;
    return (await this.transport.send({ method: 'GET', path, retryable: true, ...options })).text;
  }

  live(options?: CallOptions): Promise<OkOf<'live'>> {
    return this.json({ method: 'GET', path: '/health/live', retryable: true, ...options });
  }

  /** 200 when the database answers; a 503 rejects (SERVICE_UNAVAILABLE, DISK_FULL) after the retries. */
  ready(options?: CallOptions): Promise<OkOf<'ready'>> {
    return this.json({ method: 'GET', path: '/health/ready', retryable: true, ...options });
  }

  /** Prometheus text. */
  async metrics(options?: CallOptions): Promise<string> {
    return (await this.transport.send({ method: 'GET', path: '/metrics', retryable: true, ...options })).text;
  }

  private async json<T>(call: Parameters<Transport['send']>[0]): Promise<T> {
    return jsonOf<T>(await this.transport.send(call));
  }
}

const segment = (slug: string) => encodeURIComponent(slug);
const user = (userId: number) => encodeURIComponent(String(userId));

function namesTtl(changes: ChangeSet): boolean {
  return (
    changes.ttl !== undefined || (changes.add ?? []).some((item) => typeof item === 'object' && item.ttl !== undefined)
  );
}
