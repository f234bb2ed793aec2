/**
 * Campaign creation (issue 17 finding 6): two creations racing for one directory give one campaign
 * and one clean refusal; a directory with the user's own files gets the campaign beside them.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCampaignFile } from '../../../src/campaign-file.js';
import { createCampaign } from '../../../src/create-campaign.js';
import { temporaryDirectory, writeSmallCampaign } from '../../helpers/campaign-fixture.js';

const cleanups: Array<() => void> = [];
afterAll(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function workspace(): string {
  const directory = temporaryDirectory('clade-create-race-');
  cleanups.push(directory.remove);
  return directory.path;
}

describe('createCampaign', () => {
  it('gives one of two racing creations the directory and refuses the other cleanly', async () => {
    const root = workspace();
    const loaded = loadCampaignFile(writeSmallCampaign(root));
    const directory = path.join(root, 'campaign');
    const results = await Promise.allSettled([createCampaign(loaded, directory), createCampaign(loaded, directory)]);
    const made = results.filter((result) => result.status === 'fulfilled');
    const refused = results.filter((result) => result.status === 'rejected');
    expect(made).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expect((refused[0] as PromiseRejectedResult).reason).toMatchObject({ code: 'CAMPAIGN_BUSY' });
    expect(String((refused[0] as PromiseRejectedResult).reason.message)).toMatch(/already holds a campaign/);
    const campaign = (made[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof createCampaign>>>).value;
    expect(campaign.archive.getCampaign()?.name).toBe('small');
    campaign.close();
    expect(readdirSync(root).filter((name) => name.startsWith('.clade-creating-'))).toEqual([]);
  }, 60_000);

  it('makes the campaign inside a directory holding other files, keeping them', async () => {
    const root = workspace();
    const loaded = loadCampaignFile(writeSmallCampaign(root));
    const directory = path.join(root, 'mine');
    mkdirSync(directory);
    writeFileSync(path.join(directory, 'notes.md'), 'my notes\n');
    const campaign = await createCampaign(loaded, directory);
    campaign.close();
    expect(readdirSync(directory).sort()).toEqual(['archive.db', 'code.git', 'notes.md']);
    await expect(createCampaign(loaded, directory)).rejects.toThrow(/already holds a campaign/);
    expect(existsSync(path.join(directory, 'notes.md'))).toBe(true);
  }, 60_000);
});
