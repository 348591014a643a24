import { isDatabaseUnavailable } from './database-errors';
import { postgresPlace } from './postgres-url';

/**
 * One line saying why PostgreSQL at DATABASE_URL could not be opened at start-up and what to set,
 * or undefined when the error is not about reaching or entering the database. The URL's password
 * is never part of the line.
 */
export function databaseStartFailure(error: unknown, databaseUrl: string): string | undefined {
  const { server, user, database } = postgresPlace(databaseUrl);
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  switch (code) {
    case '3D000':
      return `database "${database}" does not exist on ${server}: create it (createdb ${database}) or set DATABASE_URL to an existing database`;
    case '28P01':
      return `${server} rejected the password of user "${user}": set the right user and password in DATABASE_URL`;
    case '28000':
      return `${server} does not let user "${user}" in (${(error as Error).message}): set an existing user in DATABASE_URL`;
  }
  if (!isDatabaseUnavailable(error)) return undefined;
  const reason = typeof code === 'string' ? code : (error as Error).message;
  return `cannot connect to ${server} (${reason}): start the server, or set DATABASE_URL to a running one (unset it for embedded PGlite)`;
}
