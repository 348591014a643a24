import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseMultipart } from './multipart';
import { checkAssertion, JwtClaims, newServiceAccount, ServiceAccount, serviceAccountKeyJson } from './service-account';

const CHUNK_UNIT = 256 * 1024;

export interface DriveFile {
  id: string;
  name: string;
  parents: string[];
  mimeType: string;
  content: Buffer;
  permissions: { type: string; role: string }[];
  webViewLink: string;
  appProperties: Record<string, string>;
  /** When the content was last written (a test may move it back). */
  modifiedTime: Date;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  contentRange?: string;
  bodyBytes: number;
  status: number;
}

export interface TokenRequest {
  granted: boolean;
  claims?: JwtClaims;
  error?: string;
}

interface InjectedFailure {
  status: number;
  reason: string;
  remaining: number;
  method?: string;
  path?: RegExp;
}

interface UploadSession {
  fileId?: string;
  metadata: { name?: string; parents?: string[]; mimeType?: string; appProperties?: Record<string, string> };
  received: Buffer[];
  bytes: number;
}

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

class DriveError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly reason = 'badRequest',
  ) {
    super(message);
  }
}

/**
 * The part of Google's OAuth token endpoint and Drive v3 that the report storage uses, on a loopback port:
 * JWT-bearer sign-in (checked against a key pair made at start), files.list by name, folder, appProperties and
 * modifiedTime (paged), multipart and resumable uploads to create and update, permissions.create, files.get and
 * files.delete. Every request is recorded,
 * and the next matching requests can be made to fail.
 */
export class FakeGoogleDrive {
  readonly requests: RecordedRequest[] = [];
  readonly tokenRequests: TokenRequest[] = [];
  readonly files = new Map<string, DriveFile>();
  readonly account: ServiceAccount = newServiceAccount();
  url = '';
  /** A service-account key file whose token_uri points here. */
  keyFile = '';
  private readonly server: Server;
  private readonly directory = mkdtempSync(join(tmpdir(), 'fake-gdrive-'));
  private readonly tokens = new Set<string>();
  private readonly sessions = new Map<string, UploadSession>();
  private failures: InjectedFailure[] = [];
  private nextId = 1;

  private constructor() {
    this.server = createServer((request, response) => void this.handle(request, response));
  }

  static async start(): Promise<FakeGoogleDrive> {
    const fake = new FakeGoogleDrive();
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    fake.url = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
    fake.keyFile = fake.writeKeyFile(fake.account, 'key.json');
    return fake;
  }

  /** A key file for another key pair under the same account name: its signatures do not verify. */
  foreignKeyFile(): string {
    const impostor = { ...newServiceAccount(this.account.clientEmail) };
    return this.writeKeyFile(impostor, 'foreign-key.json');
  }

  /** The next `times` requests matching method and path answer `status` with Drive's error body. */
  failNext(failure: { status: number; times?: number; reason?: string; method?: string; path?: RegExp }): void {
    this.failures.push({ reason: 'backendError', ...failure, remaining: failure.times ?? 1 });
  }

  /** Drops failures not used up yet. */
  resetFailures(): void {
    this.failures = [];
  }

  filesNamed(name: string): DriveFile[] {
    return [...this.files.values()].filter((file) => file.name === name);
  }

  /** Requests after the index `from`, as `METHOD path`, to compare call sequences. */
  calls(from = 0): string[] {
    return this.requests.slice(from).map((request) => `${request.status} ${request.method} ${request.path}`);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    rmSync(this.directory, { recursive: true, force: true });
  }

  private writeKeyFile(account: ServiceAccount, name: string): string {
    const path = join(this.directory, name);
    writeFileSync(path, serviceAccountKeyJson(account, `${this.url}/token`));
    return path;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(request);
    const url = new URL(request.url ?? '/', this.url);
    const method = request.method ?? 'GET';
    const reply = this.injectedFailure(method, url.pathname) ?? this.route(method, url, request, body);
    this.requests.push({
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      contentRange: request.headers['content-range'],
      bodyBytes: body.length,
      status: reply.status,
    });
    response.writeHead(reply.status, {
      ...(reply.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...reply.headers,
    });
    response.end(reply.body === undefined ? undefined : JSON.stringify(reply.body));
  }

  private injectedFailure(method: string, path: string): Reply | undefined {
    const failure = this.failures.find(
      (item) => item.remaining > 0 && (!item.method || item.method === method) && (!item.path || item.path.test(path)),
    );
    if (!failure) return undefined;
    failure.remaining -= 1;
    return errorReply(new DriveError(failure.status, `injected failure ${failure.status}`, failure.reason));
  }

  private route(method: string, url: URL, request: IncomingMessage, body: Buffer): Reply {
    try {
      if (method === 'POST' && url.pathname === '/token') return this.token(body);
      this.authenticate(request);
      const path = url.pathname;
      const query = url.searchParams;
      let match: RegExpExecArray | null;
      if (method === 'GET' && path === '/drive/v3/files') return this.list(query);
      if (method === 'GET' && (match = /^\/drive\/v3\/files\/([^/]+)$/.exec(path))) return this.get(match[1]);
      if (method === 'DELETE' && (match = /^\/drive\/v3\/files\/([^/]+)$/.exec(path))) return this.remove(match[1]);
      if (method === 'POST' && (match = /^\/drive\/v3\/files\/([^/]+)\/permissions$/.exec(path))) {
        return this.permit(match[1], body);
      }
      if (method === 'PUT' && query.has('upload_id')) return this.chunk(query.get('upload_id')!, request, body);
      if (method === 'POST' && path === '/upload/drive/v3/files') return this.upload(undefined, query, request, body);
      if (method === 'PATCH' && (match = /^\/upload\/drive\/v3\/files\/([^/]+)$/.exec(path))) {
        return this.upload(match[1], query, request, body);
      }
      throw new DriveError(404, `no such call: ${method} ${path}`, 'notFound');
    } catch (error) {
      if (error instanceof DriveError) return errorReply(error);
      throw error;
    }
  }

  private token(body: Buffer): Reply {
    const form = new URLSearchParams(body.toString());
    const checked =
      form.get('grant_type') === 'urn:ietf:params:oauth:grant-type:jwt-bearer'
        ? checkAssertion(form.get('assertion') ?? '', this.account)
        : { error: 'unsupported grant_type' };
    if ('error' in checked) {
      this.tokenRequests.push({ granted: false, error: checked.error });
      return { status: 400, body: { error: 'invalid_grant', error_description: checked.error } };
    }
    const token = `ya29.fake-${randomBytes(12).toString('hex')}`;
    this.tokens.add(token);
    this.tokenRequests.push({ granted: true, claims: checked.claims });
    return { status: 200, body: { access_token: token, expires_in: 3599, token_type: 'Bearer' } };
  }

  private authenticate(request: IncomingMessage): void {
    const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    if (!token || !this.tokens.has(token)) {
      throw new DriveError(401, 'Request had invalid authentication credentials.', 'authError');
    }
  }

  /**
   * Understands the conditions the adapter writes: name = '…', '…' in parents, trashed = false,
   * appProperties has { key='…' and value='…' }, modifiedTime < '…'; pages with pageSize and pageToken.
   */
  private list(query: URLSearchParams): Reply {
    // ' and ' joins conditions, except inside appProperties' braces.
    const conditions = (query.get('q') ?? '').split(/ and (?![^{]*\})/);
    let files = [...this.files.values()];
    for (const condition of conditions) {
      let match: RegExpExecArray | null;
      if ((match = /^name = '((?:[^'\\]|\\.)*)'$/.exec(condition))) {
        const name = unescape(match[1]);
        files = files.filter((file) => file.name === name);
      } else if ((match = /^'((?:[^'\\]|\\.)*)' in parents$/.exec(condition))) {
        const parent = unescape(match[1]);
        files = files.filter((file) => file.parents.includes(parent));
      } else if (
        (match = /^appProperties has \{ key='((?:[^'\\]|\\.)*)' and value='((?:[^'\\]|\\.)*)' \}$/.exec(condition))
      ) {
        const [key, value] = [unescape(match[1]), unescape(match[2])];
        files = files.filter((file) => file.appProperties[key] === value);
      } else if ((match = /^modifiedTime < '([^']+)'$/.exec(condition))) {
        const before = new Date(match[1]);
        if (Number.isNaN(before.getTime())) throw new DriveError(400, `Invalid Value: ${condition}`, 'invalid');
        files = files.filter((file) => file.modifiedTime < before);
      } else if (condition !== 'trashed = false') {
        throw new DriveError(400, `Invalid Value: q contains ${condition}`, 'invalid');
      }
    }
    const pageSize = Number(query.get('pageSize') ?? 100);
    const from = Number(query.get('pageToken') ?? 0);
    const next = from + pageSize < files.length ? { nextPageToken: String(from + pageSize) } : {};
    return {
      status: 200,
      body: {
        kind: 'drive#fileList',
        ...next,
        files: files.slice(from, from + pageSize).map((file) => ({ id: file.id, name: file.name })),
      },
    };
  }

  private remove(fileId: string): Reply {
    this.file(fileId);
    this.files.delete(fileId);
    return { status: 204 };
  }

  private get(fileId: string): Reply {
    const file = this.file(fileId);
    return {
      status: 200,
      body: { id: file.id, name: file.name, mimeType: file.mimeType, webViewLink: file.webViewLink },
    };
  }

  private permit(fileId: string, body: Buffer): Reply {
    const file = this.file(fileId);
    const permission = JSON.parse(body.toString()) as { type: string; role: string };
    if (!file.permissions.some((held) => held.type === permission.type && held.role === permission.role)) {
      file.permissions.push({ type: permission.type, role: permission.role });
    }
    return {
      status: 200,
      body: { kind: 'drive#permission', id: permission.type === 'anyone' ? 'anyoneWithLink' : 'p1', ...permission },
    };
  }

  private upload(fileId: string | undefined, query: URLSearchParams, request: IncomingMessage, body: Buffer): Reply {
    if (fileId) this.file(fileId);
    const contentType = request.headers['content-type'] ?? '';
    switch (query.get('uploadType')) {
      case 'multipart': {
        const [metadata, media] = parseMultipart(contentType, body);
        if (!metadata || !media || !metadata.contentType.startsWith('application/json')) {
          throw new DriveError(400, 'multipart upload needs metadata then media');
        }
        return this.store(fileId, JSON.parse(metadata.body.toString()), media.body);
      }
      case 'media':
        return this.store(fileId, { mimeType: contentType }, body);
      case 'resumable': {
        const id = randomBytes(8).toString('hex');
        this.sessions.set(id, {
          fileId,
          metadata: body.length ? JSON.parse(body.toString()) : {},
          received: [],
          bytes: 0,
        });
        const path = fileId ? `/upload/drive/v3/files/${fileId}` : '/upload/drive/v3/files';
        return { status: 200, headers: { location: `${this.url}${path}?uploadType=resumable&upload_id=${id}` } };
      }
      default:
        throw new DriveError(400, `uploadType ${query.get('uploadType')} is not supported`);
    }
  }

  // One PUT of a resumable session: "bytes a-b/total" appends, "bytes */total" asks how much arrived or finishes.
  private chunk(sessionId: string, request: IncomingMessage, body: Buffer): Reply {
    const session = this.sessions.get(sessionId);
    if (!session) throw new DriveError(404, 'upload session not found', 'notFound');
    const range = /^bytes (?:(\d+)-(\d+)|\*)\/(\d+|\*)$/.exec(request.headers['content-range'] ?? '');
    if (!range) throw new DriveError(400, `bad Content-Range ${request.headers['content-range']}`);
    const total = range[3] === '*' ? undefined : Number(range[3]);
    if (range[1] !== undefined) {
      const first = Number(range[1]);
      if (Number(range[2]) - first + 1 !== body.length)
        throw new DriveError(400, 'Content-Range does not match the body');
      if (first > session.bytes) throw new DriveError(400, 'chunk starts past the bytes received');
      if (total === undefined && body.length % CHUNK_UNIT !== 0) {
        throw new DriveError(400, 'a chunk that is not the last must be a multiple of 256 KiB');
      }
      const fresh = body.subarray(session.bytes - first);
      session.received.push(fresh);
      session.bytes += fresh.length;
    }
    if (total !== undefined && session.bytes === total) {
      this.sessions.delete(sessionId);
      return this.store(session.fileId, session.metadata, Buffer.concat(session.received));
    }
    return { status: 308, headers: session.bytes > 0 ? { range: `bytes=0-${session.bytes - 1}` } : {} };
  }

  private store(fileId: string | undefined, metadata: UploadSession['metadata'], content: Buffer): Reply {
    let file: DriveFile;
    if (fileId) {
      file = this.file(fileId);
      file.content = content;
      file.modifiedTime = new Date();
      if (metadata.mimeType) file.mimeType = metadata.mimeType;
      Object.assign(file.appProperties, metadata.appProperties);
    } else {
      const id = `file-${this.nextId++}-${randomBytes(4).toString('hex')}`;
      file = {
        id,
        name: metadata.name ?? 'Untitled',
        parents: metadata.parents ?? ['root'],
        mimeType: metadata.mimeType ?? 'application/octet-stream',
        content,
        permissions: [],
        webViewLink: `https://drive.google.com/file/d/${id}/view?usp=drivesdk`,
        appProperties: { ...metadata.appProperties },
        modifiedTime: new Date(),
      };
      this.files.set(id, file);
    }
    return { status: 200, body: { kind: 'drive#file', id: file.id, name: file.name, mimeType: file.mimeType } };
  }

  private file(fileId: string): DriveFile {
    const file = this.files.get(fileId);
    if (!file) throw new DriveError(404, `File not found: ${fileId}.`, 'notFound');
    return file;
  }
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function unescape(text: string): string {
  return text.replace(/\\(.)/g, '$1');
}

function errorReply(error: DriveError): Reply {
  return {
    status: error.status,
    body: {
      error: {
        code: error.status,
        message: error.message,
        errors: [{ domain: 'global', reason: error.reason, message: error.message }],
      },
    },
  };
}
