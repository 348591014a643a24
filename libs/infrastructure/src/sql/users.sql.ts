/** The users the service knows (registered, or seen in a change set). */

/** $1 user ids (bigint[]), $2 known since. Registers the unknown ones; answers their ids. */
export const REGISTER_USERS = `
  INSERT INTO users (user_id, known_since)
  SELECT id, $2 FROM unnest($1::bigint[]) AS id ORDER BY id
  ON CONFLICT (user_id) DO NOTHING RETURNING user_id`;
