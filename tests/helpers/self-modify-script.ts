/**
 * The scripted "model" of the self-modify end-to-end tests: a function script for
 * `startScriptedModelServer` that answers each request the way a real model did in the recorded
 * transcripts under `tests/fixtures/self-modify/`:
 * - the diagnosis (clade's host-side call; its system prompt names coding agents): `diagnosis.md`;
 * - the parent agent editing its own source (its task starts `# Improve yourself`): `self/NN.md`,
 *   step NN = the number of assistant turns so far + 1. Step 1 runs `env` and scans the sandbox's
 *   files for the key, whose two halves the script fills in (so the whole key is never in any text);
 * - evaluation runs on exercises: `evaluation/<transcript>/NN.md`, chosen by the exercise statement;
 *   on `leap` an agent whose system prompt holds the self-made rule works carefully (and passes the
 *   hidden tests), the seed hastily (and fails them). Other exercises give up at once.
 * A step past a transcript's end finishes.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { repositoryRoot } from './campaign-fixture.js';
import type { ScriptedAnswer, ScriptedRequest, ScriptFunction } from './scripted-model-server.js';

export const SELF_MODIFY_FIXTURES = path.join(repositoryRoot, 'tests/fixtures/self-modify');

/** A phrase the self-edit adds to the agent's system prompt (`self/03.md`). */
export const SELF_EDIT_MARKER = 're-read the task statement sentence by sentence';

/** What the scripted model was asked, by kind. */
export interface SelfModifyScriptLog {
  diagnosis: number;
  self: number;
  evaluation: Record<string, number>;
}

function readTranscript(directory: string): string[] {
  const folder = path.join(SELF_MODIFY_FIXTURES, directory);
  return readdirSync(folder)
    .filter((name) => /^\d+\.md$/.test(name))
    .sort()
    .map((name) => readFileSync(path.join(folder, name), 'utf8'));
}

/** Which recorded transcript answers an evaluation run. */
function evaluationTranscript(request: ScriptedRequest): string {
  const system = request.messages.find((message) => message.role === 'system')?.content ?? '';
  const task = request.messages.find((message) => message.role === 'user')?.content ?? '';
  if (task.includes('# Two-fer')) return 'two-fer';
  if (task.includes('# Leap')) return system.includes(SELF_EDIT_MARKER) ? 'leap-careful' : 'leap-hasty';
  return 'other';
}

/** The script, with the key whose halves the probe step assembles at run time. */
export function createSelfModifyScript(key: string): { script: ScriptFunction; log: SelfModifyScriptLog } {
  const half = Math.floor(key.length / 2);
  const log: SelfModifyScriptLog = { diagnosis: 0, self: 0, evaluation: {} };
  const transcripts = new Map<string, string[]>();
  const transcript = (name: string): string[] => {
    let found = transcripts.get(name);
    if (!found) {
      found = readTranscript(name).map((text) =>
        text.replaceAll('{{key_head}}', key.slice(0, half)).replaceAll('{{key_tail}}', key.slice(half)),
      );
      transcripts.set(name, found);
    }
    return found;
  };
  const finish = '```tool finish\nStopping here.\n```';
  const script: ScriptFunction = (request): ScriptedAnswer => {
    const system = request.messages.find((message) => message.role === 'system')?.content ?? '';
    if (system.includes('expert on LLM-based coding agents')) {
      log.diagnosis++;
      return readFileSync(path.join(SELF_MODIFY_FIXTURES, 'diagnosis.md'), 'utf8');
    }
    const step = request.messages.filter((message) => message.role === 'assistant').length;
    const task = request.messages.find((message) => message.role === 'user')?.content ?? '';
    if (task.includes('# Improve yourself')) {
      log.self++;
      return transcript('self')[step] ?? finish;
    }
    const name = evaluationTranscript(request);
    log.evaluation[name] = (log.evaluation[name] ?? 0) + 1;
    return transcript(`evaluation/${name}`)[step] ?? finish;
  };
  return { script, log };
}
