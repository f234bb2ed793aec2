/**
 * The code-store contract for every kind registered in `codeStores` (the built-in `git`). A kind's
 * descriptor makes a store at a path, so a newly registered kind is run with no fixture.
 */
import { runRegisteredCodeStoreContracts } from './code-store.contract.js';

runRegisteredCodeStoreContracts();
