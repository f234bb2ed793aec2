/**
 * A scripted "model" for end-to-end tests: an OpenAI-compatible chat-completions handler (for
 * `startModelServer`) that reads the program out of clade's prompt and answers with a real
 * SEARCH/REPLACE edit of one `@evolve` value inside its EVOLVE-BLOCK, deterministically from the
 * request. Some requests get scripted trouble: a 429 with retry-after, an answer with no edit
 * (clade must re-ask), or an edit that makes the agent throw its own environment (a key-leak probe).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repositoryRoot } from './campaign-fixture.js';
import { openAICompletion, type ReceivedRequest, type ReplyHandler, type ServerReply } from './model-server.js';

export interface ScriptedModelOptions {
  /** First-prompt requests (1-based) answered with prose and no edit. */
  noEditAt?: readonly number[];
  /** First-prompt request (1-based) whose edit makes the agent throw `ENV-PROBE <process.env>`. */
  probeAt?: number;
  /** Answer the very first HTTP request with 429 and this retry-after (seconds). */
  rateLimitFirst?: number;
}

export interface ScriptedModel {
  handler: ReplyHandler;
  /** Every REPLACE line the model wrote, in order. */
  replacements: string[];
}

const NO_EDIT = readFileSync(path.join(repositoryRoot, 'tests/fixtures/model/answer-no-edit.md'), 'utf8');
const ANNOTATED =
  /^(\s*const (\w+) = \/\* @evolve (float|int) ([-\d.e+]+)\.\.([-\d.e+]+)( log)? \*\/ )([-\d.e+_]+)(;.*)$/;

export function createScriptedModel(options: ScriptedModelOptions = {}): ScriptedModel {
  const replacements: string[] = [];
  let firstPrompts = 0;
  let requests = 0;
  const handler: ReplyHandler = (request: ReceivedRequest): ServerReply => {
    requests++;
    if (requests === 1 && options.rateLimitFirst !== undefined) {
      return {
        kind: 'json',
        status: 429,
        headers: { 'retry-after': String(options.rateLimitFirst) },
        body: { error: { message: 'Rate limit reached for requests', type: 'requests', code: 'rate_limit_exceeded' } },
      };
    }
    const messages = (request.body.messages ?? []) as Array<{ role: string; content: string }>;
    const prompt = messages.find((message) => message.role === 'user')?.content ?? '';
    const isFirst = messages.filter((message) => message.role === 'user').length === 1;
    if (isFirst) firstPrompts++;
    const usage = {
      prompt: Math.ceil(messages.reduce((sum, message) => sum + message.content.length, 0) / 4),
      completion: 0,
    };
    let text: string;
    if (isFirst && options.noEditAt?.includes(firstPrompts)) {
      text = NO_EDIT;
    } else {
      const lines = evolveBlockLines(prompt);
      const digest = createHash('sha256').update(JSON.stringify(messages)).digest();
      const candidates = lines.filter((line) => ANNOTATED.test(line));
      const line = candidates[(digest[0] ?? 0) % Math.max(1, candidates.length)] ?? '';
      const match = ANNOTATED.exec(line);
      if (!match) {
        text = NO_EDIT;
      } else {
        const [, head, name, kind, low, high, log, , tail] = match as unknown as string[];
        const fraction = (digest.readUInt32BE(1) % 10_000) / 10_000;
        const lower = Number(low);
        const upper = Number(high);
        let value = log
          ? Math.exp(Math.log(lower) + fraction * (Math.log(upper) - Math.log(lower)))
          : lower + fraction * (upper - lower);
        value = kind === 'int' ? Math.round(value) : Number(value.toFixed(3));
        const replaced = `${head}${value}${tail}`;
        const probe = isFirst && firstPrompts === options.probeAt;
        const replacement = probe
          ? `${line}\nthrow new Error(\`ENV-PROBE \${JSON.stringify(process.env)}\`);`
          : replaced;
        replacements.push(replacement);
        // Odd requests quote the line with different indentation: clade must tolerate it.
        const quoted = (digest[5] ?? 0) % 2 === 1 ? `    ${line.trim()}` : line;
        text = `${probe ? 'Log the environment to debug the sandbox.' : `Set ${name} to ${value} to rebalance exploration and convergence.`}\n\noptimizer.ts\n\`\`\`typescript\n<<<<<<< SEARCH\n${quoted}\n=======\n${replacement}\n>>>>>>> REPLACE\n\`\`\`\n`;
      }
    }
    usage.completion = Math.ceil(text.length / 4);
    return { kind: 'json', body: openAICompletion(text, usage, String(request.body.model ?? 'model')) };
  };
  return { handler, replacements };
}

/** The lines between the markers of the first `optimizer.ts` block of clade's prompt. */
function evolveBlockLines(prompt: string): string[] {
  const start = prompt.indexOf('### optimizer.ts\n```');
  if (start < 0) return [];
  const body = prompt.slice(prompt.indexOf('\n', prompt.indexOf('```', start)) + 1);
  const code = body.slice(0, body.indexOf('\n```'));
  const lines = code.split('\n');
  const open = lines.findIndex((line) => line.includes('EVOLVE-BLOCK-START'));
  const close = lines.findIndex((line) => line.includes('EVOLVE-BLOCK-END'));
  return open >= 0 && close > open ? lines.slice(open + 1, close) : [];
}
