/** The current time, injected so that expiry logic can be tested without sleeping. */
export abstract class Clock {
  abstract now(): Date;

  /**
   * How far ahead of the database's clock the ledger runs, in milliseconds. The ledger is stamped by
   * the database's clock at the moment a change takes effect, one clock for every instance: 0 for the
   * real clock. A test clock shifts it to its own time.
   */
  offsetMs(): number {
    return 0;
  }
}
