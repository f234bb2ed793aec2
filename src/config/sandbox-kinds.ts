/**
 * @module The sandbox kinds a campaign file or `clade worker --sandbox` may name. Kept apart from the
 * schema so that the CLI can offer them without loading zod.
 */

/** `auto`: Docker when an engine and the image are there, else the process sandbox (by policy). */
export const SANDBOX_KINDS = ['auto', 'process', 'docker'] as const;
