import { generateKeyPairSync, KeyObject, verify } from 'node:crypto';

/** Google checks the assertion's audience against this, whichever host the token request goes to. */
export const GOOGLE_TOKEN_AUDIENCE = 'https://oauth2.googleapis.com/token';
export const DRIVE_SCOPE = 'https://www.googleapis.com/auth/drive';

export interface ServiceAccount {
  clientEmail: string;
  privateKeyPem: string;
  publicKey: KeyObject;
}

/** A fresh RSA key pair, made at test time, for a made-up service account. */
export function newServiceAccount(clientEmail = 'reports@fake-project.iam.gserviceaccount.com'): ServiceAccount {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    clientEmail,
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKey,
  };
}

/** The JSON key file Google hands out for a service account. */
export function serviceAccountKeyJson(account: ServiceAccount, tokenUri: string): string {
  return JSON.stringify({
    type: 'service_account',
    project_id: 'fake-project',
    private_key_id: 'test-key-1',
    private_key: account.privateKeyPem,
    client_email: account.clientEmail,
    client_id: '100000000000000000001',
    token_uri: tokenUri,
  });
}

export interface JwtClaims {
  iss?: string;
  scope?: string;
  aud?: string;
  iat?: number;
  exp?: number;
}

/** Checks a JWT-bearer assertion as Google does; answers the claims, or why it is refused. */
export function checkAssertion(
  assertion: string,
  account: Pick<ServiceAccount, 'clientEmail' | 'publicKey'>,
  nowSeconds = Math.floor(Date.now() / 1000),
): { claims: JwtClaims } | { error: string } {
  const parts = assertion.split('.');
  if (parts.length !== 3) return { error: 'not a JWT' };
  const [header, payload, signature] = parts;
  let alg: unknown;
  let claims: JwtClaims;
  try {
    alg = (JSON.parse(Buffer.from(header, 'base64url').toString()) as { alg?: unknown }).alg;
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as JwtClaims;
  } catch {
    return { error: 'unreadable JWT' };
  }
  if (alg !== 'RS256') return { error: `alg ${String(alg)} is not RS256` };
  const signed = verify(
    'RSA-SHA256',
    Buffer.from(`${header}.${payload}`),
    account.publicKey,
    Buffer.from(signature, 'base64url'),
  );
  if (!signed) return { error: 'Invalid JWT Signature.' };
  if (claims.iss !== account.clientEmail) return { error: `unknown issuer ${claims.iss}` };
  if (claims.aud !== GOOGLE_TOKEN_AUDIENCE) return { error: `wrong audience ${claims.aud}` };
  if (!claims.scope?.split(' ').includes(DRIVE_SCOPE)) return { error: `scope ${claims.scope} lacks Drive` };
  if (!claims.exp || claims.exp <= nowSeconds || !claims.iat || claims.iat > nowSeconds + 60) {
    return { error: 'Invalid JWT: Token must be a short-lived token and in a reasonable timeframe.' };
  }
  return { claims };
}
