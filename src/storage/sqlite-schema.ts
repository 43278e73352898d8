// SQLite layout of the datastore (see README.md):
//   log      one row per write, kine-style: rev (the global revision, primary key), key, create_rev,
//            prev_rev (the key's previous row, 0 if none), deleted (tombstone flag), value (NULL for
//            tombstones; a DELETE event takes the value from the prev_rev row).
//   current  live keys → rev of their latest log row; serves current-state gets/ranges by key order.
//   meta     'rev' (current revision) and 'compact_rev', so a restart continues the sequence even
//            when the newest rows were tombstones removed by compaction.

export const SCHEMA = `
CREATE TABLE IF NOT EXISTS log (
  rev        INTEGER PRIMARY KEY,
  key        TEXT    NOT NULL,
  create_rev INTEGER NOT NULL,
  prev_rev   INTEGER NOT NULL,
  deleted    INTEGER NOT NULL,
  value      BLOB
);
CREATE INDEX IF NOT EXISTS log_key_rev ON log (key, rev);
CREATE TABLE IF NOT EXISTS current (
  key TEXT    PRIMARY KEY,
  rev INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (
  name  TEXT    PRIMARY KEY,
  value INTEGER NOT NULL
) WITHOUT ROWID;
`;

/** SQLite compares TEXT bytewise (UTF-8); this sorts after every valid key. */
export const KEY_MAX = '\u{10FFFF}';
