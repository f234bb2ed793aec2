/**
 * @module The lineage store: one git repository per campaign (`code.git`, bare). Every node is a
 * commit whose parent is its parent node's commit, reachable from `refs/clade/nodes/<id>`.
 */
import type { AgentFiles } from '../core/types.js';

export interface CodeStore {
  /** Path of the bare repository. */
  readonly path: string;
  /** Creates the repository if missing. Idempotent. */
  init(): Promise<void>;
  /**
   * Writes the files as a commit on `parentCommit` (null for a root) and returns its hash.
   * The commit is unreferenced until `setNodeRef`.
   */
  commit(files: AgentFiles, parentCommit: string | null, message: string): Promise<string>;
  /** Points `refs/clade/nodes/<nodeId>` at the commit. */
  setNodeRef(nodeId: number, commit: string): Promise<void>;
  /** Node ids that have a ref, with their commits. */
  nodeRefs(): Promise<Map<number, string>>;
  hasCommit(commit: string): Promise<boolean>;
  readFiles(commit: string): Promise<AgentFiles>;
  /** Unified diff from `from` to `to` (`from` null: everything added). */
  diff(from: string | null, to: string): Promise<string>;
  /** Writes the commit's files under `outDir` (created; must be empty or missing). */
  exportTo(commit: string, outDir: string): Promise<void>;
}
