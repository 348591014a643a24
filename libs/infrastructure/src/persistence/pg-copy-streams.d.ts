/** The part of pg-copy-streams (which ships no types) that the report source uses. */
declare module 'pg-copy-streams' {
  import { Readable } from 'node:stream';
  import { Connection, Submittable } from 'pg';

  export class CopyToStreamQuery extends Readable implements Submittable {
    /** Rows sent, known once the stream has ended. */
    rowCount: number;
    submit(connection: Connection): void;
  }

  export function to(text: string): CopyToStreamQuery;
}
