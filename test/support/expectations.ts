import { Response } from 'supertest';

/** Asserts the contract's one error shape with the given status and code. */
export function expectError(response: Response, status: number, code: string): void {
  expect({ status: response.status, code: response.body?.code }).toEqual({ status, code });
  expect(response.body).toEqual(
    expect.objectContaining({ statusCode: status, error: expect.any(String), code, message: expect.any(String) }),
  );
  expect(Object.keys(response.body).sort()).toEqual(expect.arrayContaining(['code', 'error', 'message', 'statusCode']));
  for (const key of Object.keys(response.body)) {
    expect(['statusCode', 'error', 'code', 'message', 'details']).toContain(key);
  }
}

/**
 * Matches the RFC 3339 time the ledger stamped on a change sent when the fake clock said `sent`: the
 * ledger takes the database's time once the change holds its rows, so the time the request took is
 * added (at most a minute here: a sanity bound, not a speed check).
 */
export function stampedAfter(sent: Date) {
  return {
    asymmetricMatch: (actual: unknown) =>
      typeof actual === 'string' &&
      new Date(actual).toISOString() === actual &&
      Date.parse(actual) >= sent.getTime() &&
      Date.parse(actual) < sent.getTime() + 60_000,
    toAsymmetricMatcher: () => `a time stamped at or after ${sent.toISOString()}`,
  };
}
