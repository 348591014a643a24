/**
 * Writes run side by side (`shared`) until one piece of work needs to be the only writer (`exclusive`):
 * it waits for the writes under way to end, and the writes that come meanwhile wait for it. Reads do
 * not pass through the gate.
 */
export class WriteGate {
  private writers = 0;
  private writersGone: (() => void) | undefined;
  private closed: Promise<void> | undefined;

  async shared<T>(work: () => Promise<T>): Promise<T> {
    while (this.closed) await this.closed;
    this.writers++;
    try {
      return await work();
    } finally {
      if (--this.writers === 0) this.writersGone?.();
    }
  }

  async exclusive<T>(work: () => Promise<T>): Promise<T> {
    while (this.closed) await this.closed;
    let open!: () => void;
    this.closed = new Promise((resolve) => (open = resolve));
    try {
      if (this.writers > 0) await new Promise<void>((resolve) => (this.writersGone = resolve));
      return await work();
    } finally {
      this.writersGone = undefined;
      this.closed = undefined;
      open();
    }
  }
}
