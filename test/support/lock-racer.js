'use strict';
// One racer of test/data-dir-lock.e2e-spec.ts: spins to a common start, takes DATA_DIR's lock with the
// built service's DataDirLock, says whether it won, and holds the lock until the test says every racer
// has answered (a winner that exited early would free the lock for a slow starter).
const { DataDirLock } = require(process.env.LOCK_MODULE);
const [dir, startAt] = process.argv.slice(2);
while (Date.now() < Number(startAt)) {
  // spin: every racer starts at the same instant
}
let result;
try {
  DataDirLock.acquire(dir, 'racer');
  result = 'won';
} catch (error) {
  result = error.constructor.name;
}
process.send(result);
process.once('message', () => process.exit(0));
