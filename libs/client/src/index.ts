export { SegmentsClient } from './segments-client';
export type { ChangeSet, ClientOptions } from './segments-client';
export type { CallOptions } from './transport';
export type { RetryPolicy } from './retry-policy';
export type { Membership } from './user-segments-batcher';
export { LOOKUP_LIMIT, MAX_STALE_LIMIT_MS } from './user-segments-batcher';
export { isSegmentsError, SegmentsError } from './errors';
export type { ErrorCode, ErrorCodeOf, ServiceErrorCode, TransportErrorCode } from './errors';
export type { components, operations, paths } from './openapi';
