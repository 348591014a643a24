import { FastifyReply, FastifyRequest } from 'fastify';
import { sendError } from './error.filter';

function replyRecorder() {
  const sent: { status?: number; body?: unknown } = {};
  const reply = {
    header: () => reply,
    status: (status: number) => ((sent.status = status), reply),
    send: (body: unknown) => ((sent.body = body), reply),
  };
  return { reply: reply as unknown as FastifyReply, sent };
}

describe('sendError', () => {
  it("answers the request's own failed read with 408, not as a database that is unavailable", () => {
    const reset = Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
    const request = { raw: { errored: reset }, id: 'r1', url: '/api/v1/segments', method: 'POST' };
    const { reply, sent } = replyRecorder();
    sendError(reset, request as unknown as FastifyRequest, reply);
    expect(sent).toEqual({ status: 408, body: expect.objectContaining({ statusCode: 408, code: 'REQUEST_TIMEOUT' }) });
  });

  it('still answers a database connection that was reset with 503 DATABASE_UNAVAILABLE', () => {
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    const request = { raw: { errored: null }, id: 'r2', url: '/api/v1/segments', method: 'POST' };
    const { reply, sent } = replyRecorder();
    sendError(reset, request as unknown as FastifyRequest, reply);
    expect(sent.body).toMatchObject({ statusCode: 503, code: 'DATABASE_UNAVAILABLE' });
  });
});
