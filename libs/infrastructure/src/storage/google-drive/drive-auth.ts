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

function readKey(keyFile: string): ServiceAccountKey {
  try {
    return JSON.parse(readFileSync(keyFile, 'utf8')) as ServiceAccountKey;
  } catch (error) {
    throw new ConfigError(`GOOGLE_APPLICATION_CREDENTIALS: cannot read the service-account key file (${(error as Error).message})`);
  }
}

/**
 * Service-account sign-in: a JWT signed with the key file's private key, exchanged for an access token
 * at the key file's `token_uri` (Google's own unless the file names another, as the tests' fake does).
 */
export function createDriveAuth(keyFile: string): DriveAuth {
  const key = readKey(keyFile);
  if (typeof key.client_email !== 'string' || typeof key.private_key !== 'string') {
    throw new ConfigError('GOOGLE_APPLICATION_CREDENTIALS: the key file has no client_email or private_key');
  }
  const client = new auth.JWT({
    email: key.client_email,
    key: key.private_key,
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
