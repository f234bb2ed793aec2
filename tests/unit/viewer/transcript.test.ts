import { describe, expect, it } from 'vitest';
import { TRANSCRIPT_TEXT_LIMIT, transcriptOf } from '../../../src/viewer/transcript.js';

describe('transcriptOf', () => {
  it('reads the OpenAI chat format', () => {
    const turns = transcriptOf(
      {
        model: 'gpt',
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: [{ type: 'text', text: 'Improve this.' }] },
        ],
      },
      { choices: [{ message: { role: 'assistant', content: 'Done.' } }] },
    );
    expect(turns).toEqual([
      { role: 'system', text: 'Be brief.' },
      { role: 'user', text: 'Improve this.' },
      { role: 'assistant', text: 'Done.' },
    ]);
  });

  it("reads clade's own record: system, messages, the answer's text, retries and cut answers", () => {
    const request = {
      system: 'You improve optimizers.',
      messages: [{ role: 'user', content: 'Here is the code.' }],
      maxTokens: 100,
    };
    expect(
      transcriptOf(request, { text: 'SEARCH/REPLACE…', finishReason: 'length', raw: {}, failedAttempts: ['HTTP 429'] }),
    ).toEqual([
      { role: 'system', text: 'You improve optimizers.' },
      { role: 'user', text: 'Here is the code.' },
      { role: 'note', text: 'Earlier attempts failed:\n- HTTP 429' },
      { role: 'assistant', text: 'SEARCH/REPLACE…' },
      { role: 'note', text: 'The answer was cut at the token limit (finish reason: length).' },
    ]);
    expect(
      transcriptOf(request, {
        error: 'openai:gpt call failed, gave up after 3 attempts',
        failedAttempts: ['a', 'b'],
      }).slice(2),
    ).toEqual([
      { role: 'error', text: 'openai:gpt call failed, gave up after 3 attempts' },
      { role: 'note', text: 'Earlier attempts failed:\n- a\n- b' },
    ]);
  });

  it('reads the Anthropic format with a system prompt and content blocks', () => {
    const turns = transcriptOf(
      { system: 'You edit code.', messages: [{ role: 'user', content: 'Fix it.' }] },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Fixed.' },
          { type: 'text', text: 'Twice.' },
        ],
      },
    );
    expect(turns).toEqual([
      { role: 'system', text: 'You edit code.' },
      { role: 'user', text: 'Fix it.' },
      { role: 'assistant', text: 'Fixed.\nTwice.' },
    ]);
  });

  it('reads the OpenAI responses format', () => {
    expect(transcriptOf({ instructions: 'Rules.', input: 'Go.' }, { output_text: 'Went.' })).toEqual([
      { role: 'system', text: 'Rules.' },
      { role: 'user', text: 'Go.' },
      { role: 'assistant', text: 'Went.' },
    ]);
  });

  it('shows tool calls and anything unknown as JSON, so nothing stored is hidden', () => {
    const turns = transcriptOf(
      { something: 'else' },
      {
        choices: [
          { message: { role: 'assistant', content: null, tool_calls: [{ id: 't1', function: { name: 'edit' } }] } },
        ],
      },
    );
    expect(turns[0]).toEqual({ role: 'request', text: JSON.stringify({ something: 'else' }, null, 2) });
    expect(turns[1]?.role).toBe('assistant');
    expect(turns[1]?.text).toContain('[tool call]');
    expect(turns[1]?.text).toContain('"name": "edit"');
    expect(transcriptOf(null, 'plain text')).toEqual([{ role: 'response', text: 'plain text' }]);
  });

  it('cuts very long turns with a marker', () => {
    const long = 'x'.repeat(TRANSCRIPT_TEXT_LIMIT + 10);
    const [turn] = transcriptOf({ prompt: long }, null);
    expect(turn?.text.length).toBeLessThan(long.length + 100);
    expect(turn?.text).toContain('[10 more characters not shown]');
  });
});
