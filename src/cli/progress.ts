/**
 * @module The live progress display of `clade run`: one rewritten line on a terminal, occasional
 * lines otherwise, and `--json` event lines for scripts.
 */
import type { RunEvent } from '../core/types.js';

export interface ProgressOptions {
  /** Where to write (stderr by default). */
  stream: NodeJS.WriteStream;
  /** Children the run aims for (for the ETA). */
  iterations: number;
  /** Emit one JSON line per event on stdout instead. */
  json: boolean;
  /** Dollars spent on model calls so far (read when the line is drawn); absent or 0: not shown. */
  costUsd?: () => number;
  /**
   * The archive's best node when the display starts (a resumed campaign): only a child that beats it
   * is announced as a new best. Default none.
   */
  best?: { id: number; score: number } | null;
}

export interface ProgressDisplay {
  onEvent(event: RunEvent): void;
  /** Prints a message above the progress line. */
  note(message: string): void;
  /** Clears the live line (before the summary). */
  finish(): void;
}

export function createProgressDisplay(options: ProgressOptions): ProgressDisplay {
  const { stream } = options;
  const live = stream.isTTY === true && !options.json;
  const started = Date.now();
  let recorded = 0;
  let startRecorded = 0;
  let best: { id: number; score: number } | null = options.best ?? null;
  let functionEvaluations = 0;
  let inFlight = 0;
  let lastLine = 0;
  let lineShown = false;

  const render = (): string => {
    const elapsed = (Date.now() - started) / 1000;
    const rate = elapsed > 0 ? functionEvaluations / elapsed : 0;
    const done = recorded - startRecorded;
    const remaining = Math.max(0, options.iterations - recorded);
    const eta = done > 0 && remaining > 0 ? ` · ETA ${formatDuration((elapsed / done) * remaining)}` : '';
    const bestText = best ? `best ${best.score.toFixed(4)} (#${best.id})` : 'best –';
    const spent = options.costUsd?.() ?? 0;
    const cost = spent > 0 ? ` · $${spent.toFixed(spent < 1 ? 4 : 2)}` : '';
    return `children ${recorded}/${options.iterations} · ${bestText} · ${formatRate(rate)} evals/s${cost} · running ${inFlight} · ${formatDuration(elapsed)}${eta}`;
  };
  const show = (force: boolean): void => {
    if (live) {
      stream.write(`\r\x1b[2K${render()}`);
      lineShown = true;
    } else if (force || Date.now() - lastLine > 10_000) {
      stream.write(`${render()}\n`);
      lastLine = Date.now();
    }
  };
  const clear = (): void => {
    if (live && lineShown) {
      stream.write('\r\x1b[2K');
      lineShown = false;
    }
  };

  return {
    onEvent(event) {
      if (options.json) {
        const payload =
          event.type === 'node-recorded'
            ? {
                type: event.type,
                nodeId: event.node.id,
                status: event.node.status,
                score: event.node.score,
                parentId: event.node.parentId,
              }
            : event;
        process.stdout.write(`${JSON.stringify({ ...payload, time: new Date().toISOString() })}\n`);
        return;
      }
      switch (event.type) {
        case 'campaign-started':
          recorded = Math.max(0, event.nodes - 1);
          startRecorded = recorded;
          stream.write(
            `${event.resumed ? 'Resuming' : 'Starting'} campaign ${event.campaign} (${event.nodes} nodes in the archive)\n`,
          );
          break;
        case 'node-created':
          inFlight++;
          show(false);
          break;
        case 'evaluation-finished':
          functionEvaluations += event.functionEvaluations;
          break;
        case 'node-recorded': {
          const { node } = event;
          if (node.parentId !== null) {
            recorded++;
            inFlight = Math.max(0, inFlight - 1);
          }
          const improved =
            node.status === 'scored' && node.score !== null && (best === null || node.score > best.score);
          if (improved && node.score !== null) {
            best = { id: node.id, score: node.score };
            clear();
            const origin = node.parentId === null ? 'seed agent' : `from #${node.parentId}: ${node.mutation.summary}`;
            stream.write(`  new best ${node.score.toFixed(4)} at node #${node.id} (${origin})\n`);
          }
          show(improved);
          break;
        }
        case 'campaign-stopping':
          clear();
          if (event.reason === 'interrupted') {
            stream.write(
              `Stopping: waiting for ${event.inFlight} running evaluation(s) to finish; press Ctrl-C again to abort them.\n`,
            );
          } else if (event.reason !== 'iterations') {
            stream.write(`Stopping (${event.reason}).\n`);
          }
          break;
        case 'campaign-finished':
          clear();
          break;
      }
    },
    note(message) {
      clear();
      stream.write(`${message}\n`);
    },
    finish: clear,
  };
}

export function formatDuration(seconds: number): string {
  const total = Math.max(0, Math.round(seconds));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const rest = total % 60;
  const pad = (value: number) => String(value).padStart(2, '0');
  return hours > 0 ? `${hours}:${pad(minutes)}:${pad(rest)}` : `${minutes}:${pad(rest)}`;
}

function formatRate(rate: number): string {
  if (rate >= 1e6) return `${(rate / 1e6).toFixed(1)}M`;
  if (rate >= 1e3) return `${(rate / 1e3).toFixed(1)}k`;
  return rate.toFixed(0);
}
