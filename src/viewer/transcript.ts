/**
 * @module Model transcripts for the viewer: turns a stored model call's request and response (the
 * provider's wire format, stored as JSON) into a list of `{ role, text }` turns.
 */
import type { TranscriptMessage } from './types.js';

/** Longest text kept for one turn; longer text is cut with a marker. */
export const TRANSCRIPT_TEXT_LIMIT = 200_000;

/**
 * The turns of a model call. Understands the OpenAI chat format (`messages`, `choices[].message`),
 * the OpenAI responses format (`input`/`instructions`, `output[].content[].text`, `output_text`), the
 * Anthropic format (`system`, `messages` with content blocks, `content[]`), and plain `prompt`/`text`
 * fields. Anything else is shown as indented JSON, so nothing stored is hidden.
 */
export function transcriptOf(request: unknown, response: unknown): TranscriptMessage[] {
  const turns = [...requestTurns(request), ...responseTurns(response)];
  return turns.map((turn) => ({ role: turn.role, text: capText(turn.text) }));
}

function requestTurns(request: unknown): TranscriptMessage[] {
  if (!isRecord(request)) return request === undefined || request === null ? [] : [raw('request', request)];
  const turns: TranscriptMessage[] = [];
  const system = request.system ?? request.instructions;
  if (system !== undefined && system !== null) turns.push({ role: 'system', text: contentText(system) });
  const messages = Array.isArray(request.messages)
    ? request.messages
    : Array.isArray(request.input)
      ? request.input
      : null;
  if (messages) {
    for (const message of messages) turns.push(messageTurn(message, 'user'));
  } else if (typeof request.input === 'string') {
    turns.push({ role: 'user', text: request.input });
  } else if (typeof request.prompt === 'string') {
    turns.push({ role: 'user', text: request.prompt });
  }
  if (turns.length === 0) turns.push(raw('request', request));
  return turns;
}

function responseTurns(response: unknown): TranscriptMessage[] {
  if (!isRecord(response)) return response === undefined || response === null ? [] : [raw('response', response)];
  const turns: TranscriptMessage[] = [];
  // clade's own record (src/model/call-model.ts): { text, finishReason, raw, failedAttempts? } or
  // { error, failedAttempts } for a call that failed for good.
  const failedAttempts = Array.isArray(response.failedAttempts)
    ? response.failedAttempts.filter((attempt): attempt is string => typeof attempt === 'string')
    : [];
  if (typeof response.error === 'string') {
    turns.push({ role: 'error', text: response.error });
    if (failedAttempts.length > 0) turns.push(attemptsNote(failedAttempts));
    return turns;
  }
  if (typeof response.text === 'string' && 'finishReason' in response) {
    if (failedAttempts.length > 0) turns.push(attemptsNote(failedAttempts));
    turns.push({ role: 'assistant', text: response.text });
    if (response.finishReason === 'length') {
      turns.push({ role: 'note', text: 'The answer was cut at the token limit (finish reason: length).' });
    }
    return turns;
  }
  if (Array.isArray(response.choices)) {
    for (const choice of response.choices) {
      if (isRecord(choice) && isRecord(choice.message)) turns.push(messageTurn(choice.message, 'assistant'));
      else if (isRecord(choice) && typeof choice.text === 'string')
        turns.push({ role: 'assistant', text: choice.text });
    }
  } else if (Array.isArray(response.content)) {
    turns.push({
      role: typeof response.role === 'string' ? response.role : 'assistant',
      text: contentText(response.content),
    });
  } else if (typeof response.output_text === 'string') {
    turns.push({ role: 'assistant', text: response.output_text });
  } else if (Array.isArray(response.output)) {
    for (const item of response.output) turns.push(messageTurn(item, 'assistant'));
  } else if (typeof response.text === 'string') {
    turns.push({ role: 'assistant', text: response.text });
  } else if (typeof response.content === 'string') {
    turns.push({ role: 'assistant', text: response.content });
  }
  if (turns.length === 0) turns.push(raw('response', response));
  return turns;
}

function messageTurn(message: unknown, defaultRole: string): TranscriptMessage {
  if (!isRecord(message)) return { role: defaultRole, text: contentText(message) };
  const role =
    typeof message.role === 'string' ? message.role : typeof message.type === 'string' ? message.type : defaultRole;
  const parts: string[] = [];
  if (message.content !== undefined && message.content !== null) parts.push(contentText(message.content));
  if (Array.isArray(message.tool_calls)) {
    for (const call of message.tool_calls) parts.push(`[tool call] ${stringify(call)}`);
  }
  if (parts.length === 0) return { role, text: stringify(message) };
  return { role, text: parts.join('\n') };
}

/** Text of a content value: a string, or an array of blocks (`{type:'text', text}` and others). */
function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((block) => {
        if (typeof block === 'string') return block;
        if (isRecord(block) && typeof block.text === 'string') return block.text;
        if (isRecord(block) && block.type === 'tool_use') return `[tool use] ${stringify(block)}`;
        if (isRecord(block) && block.type === 'tool_result') return `[tool result] ${contentText(block.content)}`;
        return stringify(block);
      })
      .join('\n');
  }
  return stringify(content);
}

function attemptsNote(failures: readonly string[]): TranscriptMessage {
  return { role: 'note', text: `Earlier attempts failed:\n${failures.map((failure) => `- ${failure}`).join('\n')}` };
}

function raw(role: string, value: unknown): TranscriptMessage {
  return { role, text: stringify(value) };
}

function stringify(value: unknown): string {
  if (typeof value === 'string') return value;
  return JSON.stringify(value, null, 2) ?? String(value);
}

function capText(text: string): string {
  if (text.length <= TRANSCRIPT_TEXT_LIMIT) return text;
  return `${text.slice(0, TRANSCRIPT_TEXT_LIMIT)}\n… [${text.length - TRANSCRIPT_TEXT_LIMIT} more characters not shown]`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
