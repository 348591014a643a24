import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Response } from 'supertest';
import { OpenApiContract } from './openapi-contract';

let contract: OpenApiContract | undefined;

interface Violation {
  requestId: string;
  problem: string;
}

/** The body as text; undefined for a stream, which is not read here. */
function payloadText(payload: unknown): string | undefined {
  if (typeof payload === 'string') return payload;
  if (Buffer.isBuffer(payload)) return payload.toString('utf8');
  return payload == null ? '' : undefined;
}

/**
 * Every response the app sends in a test is checked against docs/openapi.json as it leaves the
 * server, whoever asked (supertest, fetch, a browser); so is every request the app accepted (an
 * answer below 400), as a validating proxy in front of it would check it: the document must never
 * reject what the service serves. A supertest request fails on its own violations; any other
 * client's are reported when the app closes.
 */
export class ResponseCheck {
  private pending: Violation[] = [];

  constructor(app: NestFastifyApplication) {
    contract ??= OpenApiContract.fromFile();
    const checker = contract;
    app
      .getHttpAdapter()
      .getInstance()
      .addHook('onSend', async (request, reply, payload) => {
        const body = payloadText(payload);
        const contentType = reply.getHeader('content-type');
        let problems: string[];
        try {
          problems = checker.problems({
            method: request.method,
            route: request.routeOptions.url,
            status: reply.statusCode,
            contentType: contentType === undefined ? undefined : String(contentType),
            body,
          });
          if (reply.statusCode < 400) {
            problems.push(
              ...checker.requestProblems({
                method: request.method,
                route: request.routeOptions.url,
                params: request.params as Record<string, string>,
                query: request.query as Record<string, string | string[]>,
                headers: request.headers,
                body: request.body ?? undefined,
              }),
            );
          }
        } catch (error) {
          // Thrown here, it would turn the answer into a 500: report it as a violation instead.
          problems = [`checking ${request.method} ${request.url} failed: ${(error as Error).stack}`];
        }
        this.pending.push(...problems.map((problem) => ({ requestId: String(request.id), problem })));
        return payload;
      });
  }

  /** A supertest assertion: throws the violations of this response's request. */
  readonly expectDocumented = (response: Response): void => {
    const requestId = response.headers['x-request-id'] as string | undefined;
    const mine = this.pending.filter((violation) => requestId === undefined || violation.requestId === requestId);
    this.pending = this.pending.filter((violation) => !mine.includes(violation));
    if (mine.length > 0)
      throw new Error(`traffic does not match docs/openapi.json:\n${mine.map((v) => v.problem).join('\n')}`);
  };

  /** Throws the violations no supertest request has claimed. */
  assertNoneLeft(): void {
    const left = this.pending;
    this.pending = [];
    if (left.length > 0)
      throw new Error(`traffic did not match docs/openapi.json:\n${left.map((v) => v.problem).join('\n')}`);
  }

  /** The agent with the check added to every request it makes. */
  wrap<T extends object>(agent: T): T {
    return new Proxy(agent, {
      get: (target, property, receiver) => {
        const value = Reflect.get(target, property, receiver) as unknown;
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          const test = (value as (...a: unknown[]) => unknown).apply(target, args) as { expect?: unknown };
          return typeof test?.expect === 'function'
            ? (test.expect as (check: (response: Response) => void) => unknown).call(test, this.expectDocumented)
            : test;
        };
      },
    });
  }
}
