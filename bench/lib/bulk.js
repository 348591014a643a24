'use strict';
/** Bulk figures (--bulk): filled in below. */
async function runBulk() {
  return { skipped: 'not written yet' };
}
module.exports = { runBulk };
