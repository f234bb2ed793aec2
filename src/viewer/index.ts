/**
 * @module The web viewer (`clade serve`): a read-only HTTP server and static page for one campaign.
 */
export { loadViewerAssets, VIEWER_ASSET_TYPES } from './assets.js';
export { CampaignView, toCompactNodes } from './campaign-view.js';
export { DEFAULT_VIEWER_PORT, type StartViewerOptions, startViewer, VIEWER_HOST } from './server.js';
export { transcriptOf } from './transcript.js';
export type * from './types.js';
