import { echoed } from './echo';

describe('echoed', () => {
  it('keeps a text of up to 64 code points whole', () => {
    expect(echoed('x'.repeat(64))).toBe('x'.repeat(64));
    expect(echoed('🙂'.repeat(64))).toBe('🙂'.repeat(64));
  });

  it('cuts a longer text to 64 code points and "…", never inside a surrogate pair', () => {
    expect(echoed('x'.repeat(65))).toBe(`${'x'.repeat(64)}…`);
    expect(echoed(`${'x'.repeat(63)}🙂🙂`)).toBe(`${'x'.repeat(63)}🙂…`);
  });

  it('cuts what it has cut to the same text', () => {
    const once = echoed('y'.repeat(1000));
    expect(echoed(once)).toBe(once);
  });
});
