import { Client } from 'pg';

/**
 * The pg client for embedded PGlite. PGlite serves every connection from its ONE backend session, so
 * what a closed connection left there (named prepared statements above all) is still there when the
 * pool opens the next one, while the pg client caches prepared statements per connection object: the
 * new connection would prepare them again and fail with 42P05 "prepared statement already exists".
 * So a connection is only ready once `DEALLOCATE ALL` has run: the session then holds exactly the
 * statements this connection prepares. If that fails, connecting fails, and the pool opens no
 * connection with a stale statement cache.
 */
export class CleanStatementsClient extends Client {
  override connect(): Promise<Client>;
  override connect(callback: (error: Error | null, client?: Client) => void): void;
  override connect(callback?: (error: Error | null, client?: Client) => void): Promise<Client> | void {
    const ready = super.connect().then(async () => {
      await this.query('DEALLOCATE ALL');
      return this as Client;
    });
    if (!callback) return ready;
    ready.then((client) => callback(null, client), callback);
  }
}
