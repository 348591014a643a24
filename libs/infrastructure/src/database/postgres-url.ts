const DEFAULT_PORT = '5432';

/** Where DATABASE_URL points, as one-line messages name it: never its password. */
export interface PostgresPlace {
  /** `PostgreSQL at host:port`. */
  server: string;
  user: string;
  database: string;
  /** False when the URL names no database: PostgreSQL then opens the one named like the user. */
  databaseNamed: boolean;
}

export function postgresPlace(databaseUrl: string): PostgresPlace {
  const url = new URL(databaseUrl);
  const host = url.hostname || url.searchParams.get('host') || 'localhost';
  const user = decodeURIComponent(url.username) || 'the default user';
  const named = decodeURIComponent(url.pathname.slice(1));
  return {
    server: `PostgreSQL at ${host}:${url.port || DEFAULT_PORT}`,
    user,
    database: named || user,
    databaseNamed: named !== '',
  };
}
