/**
 * @module Migration 1: the initial archive schema.
 */
import type { Migration } from './migration.js';

/**
 * Campaigns, nodes, evaluations, model calls and events.
 *
 * - JSON columns hold `JSON.stringify` text (checked with `json_valid`).
 * - Timestamps are ISO-8601 text.
 * - `model_calls.node_id` and `events.node_id` have no foreign key on purpose: a node's model
 *   calls and its `node-created` event are written before the node row, which is written once
 *   the node has been evaluated.
 */
export const initialMigration: Migration = {
  version: 1,
  name: 'initial',
  sql: `
CREATE TABLE campaigns (
  id          TEXT PRIMARY KEY NOT NULL,
  name        TEXT NOT NULL,
  seed        INTEGER NOT NULL,
  config      TEXT NOT NULL CHECK (json_valid(config)),
  config_path TEXT NOT NULL,
  created_at  TEXT NOT NULL
);

CREATE TABLE nodes (
  id              INTEGER PRIMARY KEY NOT NULL,
  campaign_id     TEXT REFERENCES campaigns (id),
  parent_id       INTEGER REFERENCES nodes (id),
  commit_sha      TEXT NOT NULL,
  status          TEXT NOT NULL
                  CHECK (status IN ('scored', 'patch_failed', 'build_failed', 'timeout', 'crashed', 'invalid')),
  score           REAL,
  public_metrics  TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(public_metrics)),
  private_metrics TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(private_metrics)),
  mutation        TEXT NOT NULL CHECK (json_valid(mutation)),
  error           TEXT,
  iteration       INTEGER NOT NULL,
  created_at      TEXT NOT NULL,
  evaluated_at    TEXT
);
CREATE INDEX nodes_parent_id ON nodes (parent_id);
CREATE INDEX nodes_score ON nodes (score);

CREATE TABLE evaluations (
  id          INTEGER PRIMARY KEY NOT NULL,
  node_id     INTEGER NOT NULL REFERENCES nodes (id),
  problem     TEXT NOT NULL,
  repeat      INTEGER NOT NULL,
  seed        INTEGER NOT NULL,
  status      TEXT NOT NULL CHECK (status IN ('ok', 'failed', 'timeout', 'crashed', 'invalid')),
  score       REAL,
  metrics     TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metrics)),
  duration_ms REAL NOT NULL,
  log_excerpt TEXT NOT NULL DEFAULT '',
  UNIQUE (node_id, problem, repeat)
);

CREATE TABLE model_calls (
  id         INTEGER PRIMARY KEY NOT NULL,
  node_id    INTEGER,
  provider   TEXT NOT NULL,
  model      TEXT NOT NULL,
  request    TEXT NOT NULL CHECK (json_valid(request)),
  response   TEXT NOT NULL CHECK (json_valid(response)),
  tokens_in  INTEGER NOT NULL,
  tokens_out INTEGER NOT NULL,
  cost_usd   REAL NOT NULL,
  latency_ms REAL NOT NULL,
  attempts   INTEGER NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX model_calls_node_id ON model_calls (node_id);

CREATE TABLE events (
  id          INTEGER PRIMARY KEY NOT NULL,
  campaign_id TEXT REFERENCES campaigns (id),
  type        TEXT NOT NULL,
  node_id     INTEGER,
  data        TEXT NOT NULL CHECK (json_valid(data)),
  created_at  TEXT NOT NULL
);
CREATE INDEX events_node_id ON events (node_id);
`,
};
