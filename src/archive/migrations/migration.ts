/**
 * @module The shape of one schema migration.
 */

/**
 * One numbered schema change. Migrations are history: once released, a migration's SQL never
 * changes; a later change is a new migration with the next number.
 */
export interface Migration {
  /** 1, 2, 3 … with no gaps; the archive's schema version is the last one applied. */
  readonly version: number;
  /** Short kebab-case name, recorded in `schema_migrations`. */
  readonly name: string;
  /** SQL run in one transaction. It must not touch `schema_migrations`; the runner records it. */
  readonly sql: string;
}
