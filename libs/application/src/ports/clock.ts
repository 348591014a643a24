/** The current time, injected so that expiry logic can be tested without sleeping. */
export abstract class Clock {
  abstract now(): Date;
}
