import { ReportStorageError } from '@app/domain';
import { Chunk, ChunkReader } from './chunk-reader';
import { DriveAuth } from './drive-auth';
import { driveFailure, isRetryable, pause, RetryPolicy, withRetry } from './drive-retry';

export interface UploadTarget {
  /** `<api>/upload/drive/v3/files` to create, `.../files/<id>` to replace the content. */
  url: string;
  method: 'POST' | 'PATCH';
  metadata: object;
  mimeType: string;
}

interface PutResponse {
  status: number;
  data: string;
  headers: Headers;
}

/**
 * Drive's resumable upload: one session, then the bytes a chunk at a time. A chunk that fails is resent
 * from the first byte Drive does not hold, so only the current chunk needs to stay in memory.
 */
export class ResumableUpload {
  constructor(
    private readonly auth: DriveAuth,
    private readonly policy: RetryPolicy,
  ) {}

  /** Uploads `first` and everything `rest` still holds; returns the file id. */
  async upload(target: UploadTarget, first: Chunk, rest: ChunkReader): Promise<string> {
    const session = await withRetry('upload start', this.policy, () => this.startSession(target));
    let chunk = first;
    for (let offset = 0; ; offset += chunk.data.length, chunk = await rest.next()) {
      const fileId = await this.sendChunk(session, chunk, offset);
      if (fileId !== undefined) return fileId;
    }
  }

  private async startSession(target: UploadTarget): Promise<string> {
    const response = await this.auth.request({
      url: target.url,
      method: target.method,
      params: { uploadType: 'resumable', supportsAllDrives: true, fields: 'id' },
      headers: { 'X-Upload-Content-Type': target.mimeType },
      data: target.metadata,
      retry: false,
    });
    const session = response.headers.get('location');
    if (!session) throw new ReportStorageError('Google Drive opened no upload session');
    return session;
  }

  /** The file id once the last chunk is in; undefined after any other chunk. */
  private async sendChunk(session: string, chunk: Chunk, start: number): Promise<string | undefined> {
    const end = start + chunk.data.length;
    const total = chunk.last ? end : undefined;
    let held = start;
    for (let failures = 0; ;) {
      const before = held;
      let afterFailure = false;
      let response: PutResponse;
      try {
        response = await this.put(session, chunk.data.subarray(held - start), held, total);
      } catch (error) {
        failures += 1;
        if (failures >= this.policy.attempts || !isRetryable(error)) throw driveFailure('upload', error);
        await pause(this.policy, failures, error);
        // Ask how much arrived, then go on from there.
        response = await withRetry('upload status', this.policy, () => this.put(session, Buffer.alloc(0), 0, total));
        afterFailure = true;
      }
      if (response.status !== 308) return fileIdOf(response);
      held = heldBytes(response);
      if (held < start) throw new ReportStorageError('Google Drive lost part of an upload already sent');
      if (held >= end && !chunk.last) return undefined;
      // A reply that took none of the bytes counts as a failure too, so a stuck session cannot loop forever.
      if (!afterFailure && held === before && (failures += 1) >= this.policy.attempts) {
        throw new ReportStorageError('Google Drive takes no more bytes of the upload');
      }
    }
  }

  private put(session: string, body: Buffer, from: number, total: number | undefined): Promise<PutResponse> {
    const range =
      body.length > 0 ? `bytes ${from}-${from + body.length - 1}/${total ?? '*'}` : `bytes */${total ?? '*'}`;
    return this.auth.request<string>({
      url: session,
      method: 'PUT',
      headers: { 'Content-Range': range },
      data: body,
      responseType: 'text',
      retry: false,
      // 308 "Resume Incomplete" carries no Location: it is Drive's progress report, not a redirect.
      validateStatus: (status) => status === 200 || status === 201 || status === 308,
    });
  }
}

/** Drive answers 308 with `Range: bytes=0-N` once it holds N + 1 bytes, and without Range while it holds none. */
function heldBytes(response: PutResponse): number {
  const match = /^bytes=0-(\d+)$/.exec(response.headers.get('range') ?? '');
  return match ? Number(match[1]) + 1 : 0;
}

function fileIdOf(response: PutResponse): string {
  const id = (JSON.parse(response.data) as { id?: unknown }).id;
  if (typeof id !== 'string') throw new ReportStorageError('Google Drive finished an upload without a file id');
  return id;
}
