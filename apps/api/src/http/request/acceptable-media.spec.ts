import { accepts } from './acceptable-media';

describe('Accept negotiation', () => {
  it.each([
    ['text/csv', 'text/csv', true],
    ['text/*', 'text/csv', true],
    ['application/json', 'text/csv', false],
    ['text/*;q=0, text/csv', 'text/csv', true],
    ['text/csv;q=0, */*', 'text/csv', false],
    ['*/*;q=0', 'application/json', false],
    ['', 'application/json', false],
    ['application/json;q=abc', 'application/json', true],
    ['application/json;q=', 'application/json', true],
    ['application/json;q=0.000', 'application/json', false],
    ['application/json;q=0.001', 'application/json', true],
  ])('%s for %s: %s', (header, type, expected) => {
    expect(accepts(header, type)).toBe(expected);
  });
});
