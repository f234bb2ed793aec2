import { describe, expect, it } from 'vitest';
import {
  answerByteLimit,
  answerMeter,
  boundedFetch,
  capAnswer,
  startAttemptDeadline,
} from '../../../src/model/attempt-limits.js';
import { classifyModelError, ModelCallError } from '../../../src/model/errors.js';
import type { ModelResponse } from '../../../src/model/types.js';

const answer = (text: string): ModelResponse => ({
  text,
  tokensIn: 10,
  tokensOut: 20,
  finishReason: 'stop',
  raw: { id: 'r1', model: 'm', usage: { total: 30 }, choices: [{ message: { content: text } }] },
});

describe('answerByteLimit', () => {
  it('allows 16 bytes per token of max_tokens, never under 64 KiB', () => {
    expect(answerByteLimit(0)).toBe(65_536);
    expect(answerByteLimit(4096)).toBe(65_536);
    expect(answerByteLimit(8192)).toBe(131_072);
    expect(answerByteLimit(100_000)).toBe(1_600_000);
  });
});

describe('capAnswer', () => {
  it('keeps an answer at the limit whole, untouched', () => {
    const text = 'a'.repeat(65_536);
    const capped = capAnswer(answer(text), 1024);
    expect(capped.truncated).toBeUndefined();
    expect(capped.response.text).toBe(text);
    expect(capped.response.finishReason).toBe('stop');
  });

  it('cuts one byte over the limit at a character boundary, marks, flags, and drops the raw copy', () => {
    // 3-byte characters: 65,537 bytes would split the last one.
    const text = `${'€'.repeat(21_845)}ab`;
    expect(Buffer.byteLength(text)).toBe(65_537);
    const capped = capAnswer(answer(text), 1024);
    expect(capped.truncated).toEqual({ answerBytes: 65_537, limitBytes: 65_536 });
    const [kept, marker] = capped.response.text.split('\n\n[clade: the answer was cut here.');
    expect(Buffer.byteLength(kept ?? '')).toBe(65_536);
    expect(kept).toBe(`${'€'.repeat(21_845)}a`);
    expect(marker).toMatch(/It had 65537 bytes, over the limit of 65536/);
    expect(capped.response.finishReason).toBe('length');
    expect(capped.response.raw).toEqual({
      contentOmitted: 'over the answer byte limit; the cut text is in `text`',
      id: 'r1',
      model: 'm',
      usage: { total: 30 },
    });
    const emoji = capAnswer(answer('🙂'.repeat(20_000)), 1);
    expect(emoji.response.text.split('\n\n[clade:')[0]).toBe('🙂'.repeat(16_384));
  });

  it('a stream meter stops once the text passes the cap', () => {
    const meter = answerMeter(4096);
    expect(meter.add('x'.repeat(65_000))).toBe(true);
    expect(meter.add('x'.repeat(536))).toBe(true);
    expect(meter.add('x')).toBe(false);
  });
});

describe('startAttemptDeadline', () => {
  it('turns its own expiry into a retryable timeout, and leaves a campaign abort as it is', async () => {
    const expired = startAttemptDeadline(20);
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(expired.signal.aborted).toBe(true);
    const timeout = expired.translate(new Error('This operation was aborted'));
    expect(timeout).toBeInstanceOf(ModelCallError);
    expect(classifyModelError(timeout)).toMatchObject({ retryable: true, aborted: false });
    expect(String((timeout as Error).message)).toMatch(/^timeout: no complete answer within 0\.02 s/);
    expired.clear();

    const campaign = new AbortController();
    const deadline = startAttemptDeadline(10_000, campaign.signal);
    campaign.abort(new Error('stop'));
    expect(deadline.signal.aborted).toBe(true);
    const original = new Error('aborted by the SDK');
    expect(deadline.translate(original)).toBe(original);
    deadline.clear();
  });
});

describe('boundedFetch', () => {
  const bodyOf = (bytes: number): typeof fetch =>
    (async () => new Response(new Uint8Array(bytes).fill(32), { status: 200 })) as typeof fetch;

  it('passes a body within the limit through', async () => {
    const response = await boundedFetch(bodyOf(1000), 1000)('http://x');
    expect((await response.arrayBuffer()).byteLength).toBe(1000);
    expect(response.status).toBe(200);
  });

  it('fails a body over the limit with a non-retryable error that says why', async () => {
    const response = await boundedFetch(bodyOf(1001), 1000)('http://x');
    const reading = response.arrayBuffer();
    await expect(reading).rejects.toBeInstanceOf(ModelCallError);
    await expect(reading).rejects.toThrow(/passed 1000 bytes/);
    await expect(reading).rejects.toMatchObject({ isRetryable: false });
  });

  it('fails the body as soon as the request signal aborts, while it is being read', async () => {
    const never: typeof fetch = (async () =>
      new Response(new ReadableStream<Uint8Array>({ pull: () => new Promise(() => {}) }))) as typeof fetch;
    const controller = new AbortController();
    const response = await boundedFetch(never, 1000)('http://x', { signal: controller.signal });
    const reading = response.text();
    controller.abort(new Error('deadline'));
    await expect(reading).rejects.toThrow('deadline');
  });
});
