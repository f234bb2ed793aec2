/**
 * @module The archive: SQLite store of campaigns, nodes, evaluations, model calls and events.
 */
export type { Migration } from './migrations/index.js';
export { migrations } from './migrations/index.js';
export type { OpenArchiveOptions } from './sqlite-store.js';
export { openArchive } from './sqlite-store.js';
export type { ArchiveStore, CampaignRecord, EventRecord, ModelCallRecord } from './types.js';
