import { databaseStartFailure } from './database-start-failure';

// The e2e start-up test covers what the test server can produce (missing database, unknown user,
// refused connection); its trust authentication never rejects a password, so that code is checked here.
describe('databaseStartFailure', () => {
  const url = 'postgresql://app:s3cret@db.internal:6432/segments';

  it('names the user and DATABASE_URL for a rejected password, never the password', () => {
    const error = Object.assign(new Error('password authentication failed for user "app"'), { code: '28P01' });
    const line = databaseStartFailure(error, url);
    expect(line).toBe(
      'PostgreSQL at db.internal:6432 rejected the password of user "app": set the right user and password in DATABASE_URL',
    );
  });

  it('leaves errors that are not about opening the database to the caller', () => {
    expect(databaseStartFailure(Object.assign(new Error('syntax error'), { code: '42601' }), url)).toBeUndefined();
  });
});
