import { Clock } from '@app/application';

/**
 * A clock the test moves by hand. `now()` stands still between moves; the ledger, stamped by the
 * database's clock, runs on from the last move (`offsetMs` stays fixed until the next one), so the
 * entries of a test keep their order however long each request takes.
 */
export class FakeClock extends Clock {
  private offset = 0;

  constructor(private current = new Date('2030-01-15T12:00:00.000Z')) {
    super();
    this.anchor();
  }

  now(): Date {
    return new Date(this.current.getTime());
  }

  override offsetMs(): number {
    return this.offset;
  }

  set(time: Date | string): void {
    this.current = new Date(time);
    this.anchor();
  }

  advance(milliseconds: number): void {
    this.current = new Date(this.current.getTime() + milliseconds);
    this.anchor();
  }

  private anchor(): void {
    this.offset = this.current.getTime() - Date.now();
  }
}
