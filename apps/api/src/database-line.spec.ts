import { loadConfig } from '@app/infrastructure';
import { databaseLine } from './database-line';

describe('the start-up line about the database', () => {
  it('says where PostgreSQL is without the password, and what the migrations did', () => {
    const config = loadConfig({ DATABASE_URL: 'postgresql://app:secret@db.internal:6543/segments' });
    expect(databaseLine(config, 2)).toBe('PostgreSQL at db.internal:6543, database "segments", 2 migrations applied');
    expect(databaseLine(config, 1)).toContain('1 migration applied');
    expect(databaseLine(config, 0)).toContain('schema up to date');
    expect(databaseLine(config, undefined)).toContain('migrations not run (MIGRATIONS_RUN=false)');
    expect(databaseLine(config, 0)).not.toContain('secret');
  });

  it('says which database a URL without one opens: the one named like its user', () => {
    const config = loadConfig({ DATABASE_URL: 'postgresql://postgres@127.0.0.1' });
    expect(databaseLine(config, 0)).toBe(
      'PostgreSQL at 127.0.0.1:5432, database "postgres" (DATABASE_URL names none: the one named like its user), schema up to date',
    );
  });

  it('names the embedded data directory', () => {
    expect(databaseLine(loadConfig({ DATA_DIR: '/data' }), 0)).toBe('embedded PGlite in /data, schema up to date');
  });
});
