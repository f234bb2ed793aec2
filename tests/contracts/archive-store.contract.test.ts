/**
 * The archive-store contract for every kind registered in `archiveStores` (the built-in `sqlite`).
 * A kind's descriptor opens a store at a path, so a newly registered kind is run with no fixture.
 */
import { runRegisteredArchiveStoreContracts } from './archive-store.contract.js';

runRegisteredArchiveStoreContracts();
