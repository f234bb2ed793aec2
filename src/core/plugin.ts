/**
 * @module Plug-in kinds as values. Every plug-in point (tasks, mutators, selectors, sandbox drivers,
 * model providers) lists its kinds in one `PluginRegistry` (`src/<area>/registry.ts`); the campaign
 * file's schema is assembled from the registries and the wiring looks kinds up. Library users add
 * their own kinds with `register` — no edit of clade.
 */
import { ConfigError } from './errors.js';

/**
 * What every kind of every plug-in point declares: its name (the value of the section's
 * discriminator field, e.g. `task.kind: numeric`), one line for errors, `--help` and docs, and
 * the zod schema of its section of the campaign file (the discriminator included). Each area adds
 * its own `prepare` / `create` signatures (see `TaskKind`, `MutatorKind`, `SelectorKind`,
 * `SandboxKind`, `ModelProviderKind`).
 */
export interface PluginKind {
  readonly kind: string;
  readonly summary: string;
}

/** Options of `PluginRegistry.register`. */
export interface RegisterOptions {
  /** Replace a kind of the same name instead of refusing it. Default false. */
  replace?: boolean;
}

/**
 * The kinds of one plug-in point, in registration order. `get` throws a `ConfigError` naming the
 * field, the value and what is allowed, so a campaign file or flag naming an unknown kind exits 2.
 */
export class PluginRegistry<K extends PluginKind> {
  readonly #kinds = new Map<string, K>();
  #version = 0;

  /**
   * @param area what the kinds are, for messages (e.g. `task kind`).
   * @param field the campaign-file field that names a kind (e.g. `task.kind`).
   */
  constructor(
    readonly area: string,
    readonly field: string,
    kinds: readonly K[] = [],
  ) {
    for (const kind of kinds) this.register(kind);
  }

  /** Grows with every registration: schemas built from the registry are rebuilt when it changes. */
  get version(): number {
    return this.#version;
  }

  /** Adds a kind. A name taken already is refused unless `replace` is set. */
  register(kind: K, options: RegisterOptions = {}): this {
    if (!/^[a-z][a-z0-9-]{0,63}$/.test(kind.kind)) {
      throw new TypeError(
        `A ${this.area} must be named with lower-case letters, digits and "-" (starting with a letter); got "${kind.kind}".`,
      );
    }
    if (this.#kinds.has(kind.kind) && options.replace !== true) {
      throw new TypeError(
        `The ${this.area} "${kind.kind}" is registered already; pass { replace: true } to replace it.`,
      );
    }
    this.#kinds.set(kind.kind, kind);
    this.#version += 1;
    return this;
  }

  /** Removes a kind (tests that register their own). Returns whether it was there. */
  unregister(name: string): boolean {
    const removed = this.#kinds.delete(name);
    if (removed) this.#version += 1;
    return removed;
  }

  has(name: string): boolean {
    return this.#kinds.has(name);
  }

  /** The kind named `name`. @throws ConfigError naming the field, the value and the kinds there are. */
  get(name: string): K {
    const found = this.#kinds.get(name);
    if (found !== undefined) return found;
    const allowed = this.names().join(', ');
    const message = `${this.field}: unknown ${this.area} "${name}"; use one of ${allowed}`;
    throw new ConfigError(message, [{ path: this.field, message: `must be one of ${allowed}`, value: name }]);
  }

  /** The names, in registration order. */
  names(): string[] {
    return [...this.#kinds.keys()];
  }

  /** The kinds, in registration order. */
  list(): K[] {
    return [...this.#kinds.values()];
  }
}
