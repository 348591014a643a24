import { Response } from 'supertest';

/** Asserts the contract's one error shape with the given status and code. */
export function expectError(response: Response, status: number, code: string): void {
  expect({ status: response.status, code: response.body?.code }).toEqual({ status, code });
  expect(response.body).toEqual(
    expect.objectContaining({ statusCode: status, error: expect.any(String), code, message: expect.any(String) }),
  );
  expect(Object.keys(response.body).sort()).toEqual(
    expect.arrayContaining(['code', 'error', 'message', 'statusCode']),
  );
  for (const key of Object.keys(response.body)) {
    expect(['statusCode', 'error', 'code', 'message', 'details']).toContain(key);
  }
}
