/** The current time, injected so that expiry logic can be tested without sleeping. */
export abstract class Clock {
  abstract now(): Date;

  /**
   * How far this clock runs ahead of the system clock, in milliseconds. The ledger is stamped by the
   * database's clock, shifted by this, at the moment a change takes effect: 0 in production, where
   * the database's clock alone orders the changes of every instance.
   */
  offsetMs(): number {
    return this.now().getTime() - Date.now();
  }
}
