/**
 * @module clade's programmatic API: open or create campaigns, and the plug-in interfaces.
 */
export * from './archive/types.js';
export type { CampaignDependencies, CampaignSettings, CampaignSummary } from './campaign/types.js';
export {
  type ConfigOverrides,
  campaignSchema,
  type LoadedCampaign,
  loadCampaignFile,
  validateCampaign,
} from './campaign-file.js';
export * from './config/schema.js';
export * from './core/errors.js';
export * from './core/random.js';
export * from './core/types.js';
export {
  type Campaign,
  type CampaignOptions,
  createCampaign,
  openCampaign,
  type RunOptions,
} from './create-campaign.js';
export * from './harness/types.js';
export * from './lineage/types.js';
export * from './model/index.js';
export * from './mutation/types.js';
export * from './sandbox/types.js';
export * from './selection/types.js';
export * from './tasks/types.js';
