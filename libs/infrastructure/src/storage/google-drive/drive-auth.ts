import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { auth } from '@googleapis/drive';
import { ConfigError } from '../../config/app-config';

export type DriveAuth = InstanceType<typeof auth.JWT>;

const SCOPES = ['https://www.googleapis.com/auth/drive'];
/** Where google-auth-library always sends the signed assertion, whatever the key file says. */
const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';

interface ServiceAccountKey {
  client_email?: unknown;
  private_key?: unknown;
  private_key_id?: unknown;
  token_uri?: unknown;
}

const SET_KEY_FILE = 'set GOOGLE_APPLICATION_CREDENTIALS to a service-account JSON key file';

function readKey(keyFile: string): ServiceAccountKey {
  let text: string;
  try {
    text = readFileSync(keyFile, 'utf8');
  } catch (error) {
    throw new ConfigError(
      `GOOGLE_APPLICATION_CREDENTIALS: cannot read ${keyFile} (${(error as { code?: string }).code ?? (error as Error).message}); ${SET_KEY_FILE}`,
    );
  }
  try {
    const key: unknown = JSON.parse(text);
    if (typeof key === 'object' && key !== null && !Array.isArray(key)) return key as ServiceAccountKey;
  } catch {
    // Reported below, without the parser's excerpt of the file (it may hold the private key).
  }
  throw new ConfigError(`GOOGLE_APPLICATION_CREDENTIALS: ${keyFile} is not a JSON object; ${SET_KEY_FILE}`);
}

/**
 * Service-account sign-in: a JWT signed with the key file's private key, exchanged for an access token
 * at the key file's `token_uri` (Google's own unless the file names another, as the tests' fake does).
 */
export function createDriveAuth(keyFile: string): DriveAuth {
  const key = readKey(keyFile);
  const { client_email: email, private_key: privateKey } = key;
  if (typeof email !== 'string' || !email || typeof privateKey !== 'string' || !privateKey) {
    const missing = Object.entries({ client_email: email, private_key: privateKey }).filter(
      ([, v]) => typeof v !== 'string' || !v,
    );
    throw new ConfigError(
      `GOOGLE_APPLICATION_CREDENTIALS: ${keyFile} has no ${missing.map(([field]) => field).join(' or ')}; ${SET_KEY_FILE}`,
    );
  }
  try {
    createPrivateKey(privateKey);
  } catch {
    // Checked now: otherwise the first report answers 502 with OpenSSL's words. The key itself is not shown.
    throw new ConfigError(
      `GOOGLE_APPLICATION_CREDENTIALS: the private_key of ${keyFile} is not a PEM private key; ${SET_KEY_FILE}`,
    );
  }
  const client = new auth.JWT({
    email,
    key: privateKey,
    keyId: typeof key.private_key_id === 'string' ? key.private_key_id : undefined,
    scopes: SCOPES,
  });
  const tokenUri = typeof key.token_uri === 'string' ? key.token_uri : GOOGLE_TOKEN_URL;
  if (tokenUri !== GOOGLE_TOKEN_URL) {
    client.transporter.interceptors.request.add({
      resolved: async (request) => {
        if (String(request.url) === GOOGLE_TOKEN_URL) request.url = new URL(tokenUri);
        return request;
      },
    });
  }
  return client;
}
