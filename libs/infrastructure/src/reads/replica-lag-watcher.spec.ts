import { parseLsn } from './replica-lag-watcher';

describe('parseLsn', () => {
  it('orders WAL positions as PostgreSQL does: by the high word, then the low one', () => {
    expect(parseLsn('0/16B3748')).toBe(0x16b3748n);
    expect(parseLsn('1/0') > parseLsn('0/FFFFFFFF')).toBe(true);
    expect(parseLsn('16/B374D848')).toBe((0x16n << 32n) | 0xb374d848n);
  });
});
