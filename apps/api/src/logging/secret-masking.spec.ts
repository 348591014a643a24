import { REDACTED, secretMasker } from './secret-masking';

describe('secretMasker', () => {
  const mask = secretMasker(['k3y-0f-the-api', 'short']);

  it('hides the password of a connection string and keeps the rest', () => {
    expect(mask('connect postgresql://segments:s3cr%40t@db.internal:5432/segments failed')).toBe(
      `connect postgresql://segments:${REDACTED}@db.internal:5432/segments failed`,
    );
  });

  it('hides every configured API key of 8 characters or more', () => {
    expect(mask('Bearer k3y-0f-the-api and again k3y-0f-the-api')).toBe(`Bearer ${REDACTED} and again ${REDACTED}`);
    expect(mask('a short word')).toBe('a short word');
  });

  it('leaves URLs without a password alone', () => {
    expect(mask('see http://localhost:8080/docs and postgresql://db/segments')).toBe(
      'see http://localhost:8080/docs and postgresql://db/segments',
    );
  });
});
