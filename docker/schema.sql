-- The service's schema as the migrations leave it (libs/infrastructure/src/database/migrations).
-- test/schema.e2e-spec.ts proves the two equal. The service applies its migrations itself; this file is
-- for reading, for analysts, and for provisioning a database by hand.

-- Segments. The slug is compared byte by byte (COLLATE "C"), so listing order is byte order.
CREATE TABLE segments (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  slug         varchar(100) COLLATE "C" NOT NULL CONSTRAINT segments_slug_key UNIQUE,
  description  varchar(500),
  auto_percent numeric(5, 2) CONSTRAINT segments_auto_percent_check CHECK (auto_percent > 0 AND auto_percent <= 100),
  created_at   timestamptz NOT NULL
);

-- Known users: registered, or named by a change set. Auto segments apply when a user becomes known.
CREATE TABLE users (
  user_id     bigint PRIMARY KEY CONSTRAINT users_user_id_check CHECK (user_id BETWEEN 1 AND 9007199254740991),
  known_since timestamptz NOT NULL
);

-- Current memberships. A row whose expires_at has passed is no longer active; the cleaner deletes it
-- and records the leave at its expires_at.
CREATE TABLE memberships (
  user_id    bigint NOT NULL,
  segment_id bigint NOT NULL CONSTRAINT memberships_segment_id_fkey REFERENCES segments (id),
  source     varchar(6) NOT NULL CONSTRAINT memberships_source_check CHECK (source IN ('manual', 'auto')),
  added_at   timestamptz NOT NULL,
  expires_at timestamptz,
  CONSTRAINT memberships_pkey PRIMARY KEY (user_id, segment_id)
);
CREATE INDEX memberships_segment_user_idx ON memberships (segment_id, user_id) INCLUDE (expires_at);
CREATE INDEX memberships_expires_at_idx ON memberships (expires_at) WHERE expires_at IS NOT NULL;

-- The ledger: every join and leave, written in the same transaction as the change. It keeps the slug
-- text, so it outlives the segment.
CREATE TABLE membership_history (
  id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id   bigint NOT NULL,
  segment   varchar(100) COLLATE "C" NOT NULL,
  operation varchar(7) NOT NULL CONSTRAINT membership_history_operation_check CHECK (operation IN ('added', 'removed')),
  reason    varchar(15) NOT NULL CONSTRAINT membership_history_reason_check CHECK (reason IN ('manual', 'auto', 'ttl', 'segment_deleted')),
  at        timestamptz NOT NULL
);
CREATE INDEX membership_history_user_at_idx ON membership_history (user_id, at, id);
CREATE INDEX membership_history_at_idx ON membership_history (at, user_id, segment);
