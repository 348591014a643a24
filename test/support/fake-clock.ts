import { Clock } from '@app/application';

/** A clock the test moves by hand. */
export class FakeClock extends Clock {
  constructor(private current = new Date('2030-01-15T12:00:00.000Z')) {
    super();
  }

  now(): Date {
    return new Date(this.current.getTime());
  }

  set(time: Date | string): void {
    this.current = new Date(time);
  }

  advance(milliseconds: number): void {
    this.current = new Date(this.current.getTime() + milliseconds);
  }
}
