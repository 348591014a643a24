import { Clock } from '@app/application';

/**
 * A clock the test moves by hand. `now()` stands still between moves. The ledger, stamped by the
 * database's clock shifted by `offsetMs()`, runs on in real time from its last stamp and jumps ahead
 * to the clock's time when the test moves the clock past it: so a test's entries keep the order in which
 * they took effect, however long each request takes, and land at the clock's time plus the time since.
 * Setting the clock back starts the ledger again at that time.
 */
export class FakeClock extends Clock {
  private ledgerMs = 0;
  private ledgerReadAtMs = 0;

  constructor(private current = new Date('2030-01-15T12:00:00.000Z')) {
    super();
    this.restartLedger();
  }

  now(): Date {
    return new Date(this.current.getTime());
  }

  override offsetMs(): number {
    const real = Date.now();
    this.ledgerMs = Math.max(this.current.getTime(), this.ledgerMs + (real - this.ledgerReadAtMs));
    this.ledgerReadAtMs = real;
    return this.ledgerMs - real;
  }

  /** Moves the clock; back in time, the ledger starts again there (a test rewinding starts a new story). */
  set(time: Date | string): void {
    const back = new Date(time).getTime() < this.current.getTime();
    this.current = new Date(time);
    if (back) this.restartLedger();
  }

  advance(milliseconds: number): void {
    this.current = new Date(this.current.getTime() + milliseconds);
  }

  /** Starts the ledger again at the clock's time: after the app's start-up, before anything is written. */
  restartLedger(): void {
    this.ledgerMs = this.current.getTime();
    this.ledgerReadAtMs = Date.now();
  }
}
