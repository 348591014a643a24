import { detectFormat, parseLine } from './user-id-lines';

describe('user id files', () => {
  it('reads one id per line, trimming spaces and CR', () => {
    const { format, header } = detectFormat('1000');
    expect(header).toBe(false);
    expect(parseLine(' 1000\r', format)).toEqual({ kind: 'id', userId: 1000 });
    expect(parseLine('', format)).toEqual({ kind: 'blank' });
    expect(parseLine('12a', format).kind).toBe('bad');
    expect(parseLine('0', format).kind).toBe('bad');
    expect(parseLine('9007199254740992', format).kind).toBe('bad');
  });

  it.each([
    ['name,user_id,city', 'Ann,1001,Moscow', 1001],
    ['"user_id";"name"', '"1002";"Bob"', 1002],
    ['USER_ID\tx', '1003\ty', 1003],
  ])('finds the user_id column in %j', (headerLine, line, userId) => {
    const { format, header } = detectFormat(headerLine);
    expect(header).toBe(true);
    expect(parseLine(line, format)).toEqual({ kind: 'id', userId });
  });

  it('respects CSV quoting: a quoted cell may hold the delimiter and doubled quotes', () => {
    const { format } = detectFormat('name,user_id');
    expect(parseLine('"Ivanov,31337,Moscow",880000001', format)).toEqual({ kind: 'id', userId: 880000001 });
    expect(parseLine('"say ""hi"", 7",42', format)).toEqual({ kind: 'id', userId: 42 });
    expect(parseLine('"q,uoted",20999999', format)).toEqual({ kind: 'id', userId: 20999999 });
    expect(parseLine('"open,12', format)).toEqual({ kind: 'bad', reason: 'a quote is left open' });
  });

  it('reports a CSV line without the column', () => {
    const { format } = detectFormat('name,user_id');
    expect(parseLine('Ann', format)).toEqual({ kind: 'bad', reason: 'no user_id value' });
  });
});
