/**
 * @module The sandbox kinds a campaign file or `clade worker --sandbox` may name. Kept apart from the
 * schema so that the CLI can offer them without loading zod.
 */

/**
 * `auto`: Docker when an engine and the image are there, else the process sandbox (by policy).
 * The built-in selectable kinds of `sandboxKinds` (src/sandbox/registry.ts), for the CLI's
 * `--sandbox` choices; `selectableSandboxKinds()` adds any kind a library user registered (a test
 * keeps the two lists in step).
 */
export const SANDBOX_KINDS = ['auto', 'process', 'docker'] as const;
