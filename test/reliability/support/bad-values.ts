import fc from 'fast-check';

/**
 * Values the contract rejects, field by field. The oracles below restate the contract's rules
 * (not the service's code), so a generated value is bad by the contract's reading.
 */
const MAX_USER_ID = 9007199254740991;
export const isContractSlug = (value: unknown) =>
  typeof value === 'string' && value.length >= 1 && value.length <= 100 && /^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(value);
export const isContractUserIdText = (text: string) => /^[1-9][0-9]*$/.test(text) && Number(text) <= MAX_USER_ID;
const isContractUserId = (value: unknown) =>
  typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_USER_ID;
const isContractPercent = (value: unknown) =>
  typeof value === 'number' && value > 0 && value <= 100 && Math.abs(Math.round(value * 100) - value * 100) < 1e-9;

const SQL_LOOKING = [
  "'; DROP TABLE segments; --",
  "' OR '1'='1",
  'Robert"); DELETE FROM memberships; --',
  'x UNION SELECT * FROM users',
  '1; SELECT pg_sleep(10)',
  '$$; TRUNCATE membership_history; $$',
  '%27%20OR%201%3D1',
];

/** Long strings: 10,000 characters of some repeated unit (ASCII, Cyrillic, emoji, NUL, ...). */
const tenThousand = fc
  .constantFrom('a', 'я', '😀', '\u0000', ' ', 'A_', "'", '\u202e', '\ud800')
  .map((unit) => unit.repeat(Math.ceil(10_000 / unit.length)).slice(0, 10_000));

/** Text that is not valid UTF-16: one surrogate without its pair, somewhere in printable text. */
export const loneSurrogateText: fc.Arbitrary<string> = fc
  .tuple(fc.string({ maxLength: 20 }), fc.integer({ min: 0xd800, max: 0xdfff }), fc.string({ maxLength: 20 }))
  .map(([before, unit, after]) => `${before}${String.fromCharCode(unit)}${after}`);

/** Strings that are not slugs: empty, too long, unicode, SQL, NUL, control and path characters. */
export const badSlugText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '_lead',
    '-lead',
    '.lead',
    'a b',
    'a/b',
    'a\\b',
    '..',
    '../../etc/passwd',
    'a\u0000b',
    'ñ',
    'A'.repeat(101),
  ),
  fc.constantFrom(...SQL_LOOKING),
  tenThousand,
  fc.string({ unit: 'binary', maxLength: 120 }).filter((text) => !isContractSlug(text)),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }).filter((text) => !isContractSlug(text)),
  fc
    .tuple(fc.constantFrom('OK', 'A1'), fc.constantFrom(...SQL_LOOKING, '\u0000', '\n', '%', '\t'))
    .map(([a, b]) => a + b),
);

/** Any JSON value that is not a slug (wrong types included). */
export const badSlugValue: fc.Arbitrary<unknown> = fc.oneof(
  badSlugText,
  fc.jsonValue({ maxDepth: 2 }).filter((value) => !isContractSlug(value)),
  fc.constantFrom(null, 0, 1, true, [], {}, ['OK'], { slug: 'OK' }),
);

/** Path text that is not a user id: zero, negative, fractional, huge, signed, spaced, exotic digits. */
export const badUserIdText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '0',
    '-1',
    '1.5',
    '1.0',
    '9007199254740992',
    '99999999999999999999999',
    '1e3',
    '0x1F',
    '01',
    ' 1',
    '+1',
    '١',
    'NaN',
    'Infinity',
    'null',
    'true',
    '-0',
  ),
  fc.integer({ max: 0 }).map(String),
  fc
    .double({ noNaN: true })
    .map(String)
    .filter((text) => !isContractUserIdText(text)),
  fc.bigInt({ min: BigInt(MAX_USER_ID) + 1n, max: 10n ** 40n }).map(String),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }).filter((text) => !isContractUserIdText(text)),
  fc.constantFrom(...SQL_LOOKING),
);

/** JSON values that are not user ids. */
export const badUserIdValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(0, -1, -0, 1.5, 9007199254740992, 1e20, 1e308, Number.MIN_VALUE, '1', null, true, [1], { id: 1 }),
  fc.integer({ max: 0 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((value) => !isContractUserId(value)),
  fc.jsonValue({ maxDepth: 1 }).filter((value) => !isContractUserId(value)),
);

/** Values that are not an auto percent (0 < p <= 100, at most 2 decimals). */
export const badPercent: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(0, -1, -0.01, 100.01, 101, 10.123, 0.001, 1e308, '10', true, [], {}, [10]),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((value) => !isContractPercent(value)),
  fc.string({ maxLength: 8 }),
);

/** Values that are not a description (a string of at most 500 characters, or null). */
export const badDescription: fc.Arbitrary<unknown> = fc.oneof(
  // '❤️' is two code points: 600, though class-validator's isLength counts 300.
  fc.constantFrom(0, true, [], {}, ['x'], 'x'.repeat(501), 'я'.repeat(501), '❤️'.repeat(300), 'e\u0301'.repeat(251)),
  tenThousand,
  fc.string({ unit: 'binary', minLength: 501, maxLength: 700 }),
  fc.string({ unit: 'grapheme', minLength: 501, maxLength: 600 }),
  loneSurrogateText,
  fc.string({ maxLength: 20 }).map((text) => `${text}\u0000${text}`),
);

/** Not ISO 8601 durations, or zero/negative ones. */
export const badTtl: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    '',
    'P',
    'PT',
    'P0D',
    'PT0S',
    '-P1D',
    'P-1D',
    'PT-1H',
    '1D',
    'P1X',
    'P1DT',
    'P1.5.5D',
    'PT36',
    'p1d x',
    'P1D\u0000',
    'P99999999999999999999Y',
  ),
  // Over 100 years, in every unit.
  fc.constantFrom('P101Y', 'P1201M', 'P5300W', 'P37199D', 'PT900000H', 'PT53000000M', 'PT3200000000S', 'P100YT1S'),
  fc.constantFrom(1, 0, -1, null, true, [], {}, ['P1D']),
  fc
    .string({ unit: 'binary', maxLength: 30 })
    .filter((text) => !/^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$/.test(text)),
);

/** Not future RFC 3339 times (the test clock stands at 2030-01-15). */
export const badExpiresAt: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    '',
    'tomorrow',
    '2000-01-01T00:00:00Z',
    '2030-01-15T11:59:59Z',
    '2031-02-30T00:00:00Z',
    '2031-01-01',
    '2031-01-01T25:00:00Z',
    '2031-01-01T00:00:00',
    '2031-01-01T00:00:00Z\u0000',
    '1e12',
  ),
  fc.constantFrom(0, 1893456000000, null, true, [], {}),
  fc
    .date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2030-01-01T00:00:00Z'), noInvalidDate: true })
    .map((date) => date.toISOString()),
  // More than 100 years ahead.
  fc
    .date({ min: new Date('2130-01-16T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true })
    .map((date) => date.toISOString()),
  fc.string({ unit: 'binary', maxLength: 40 }),
);

/** Query values that are not a page limit (1..1000). */
export const badLimit: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('0', '-1', '1001', '1.5', '1e2', 'abc', '', ' 10', '0x10', '99999999999999999999', '10\u0000'),
  fc.integer({ min: 1001 }).map(String),
  fc.integer({ max: 0 }).map(String),
  fc.string({ unit: 'binary', maxLength: 12 }).filter((text) => !/^([1-9][0-9]{0,2}|1000)$/.test(text)),
);

/** Cursors the service never issued: garbage, and well-formed base64url of the wrong content. */
export const badCursor: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary', minLength: 1, maxLength: 60 }),
  fc.constantFrom('x'.repeat(501), '%00', '=='),
  fc
    .oneof(
      fc.constantFrom(
        ['members', 1.5],
        ['members', -1],
        ['members', 1e300],
        ['members', '5'],
        ['segments', 5],
        ['segments', 'a\u0000'],
        ['segments'],
        { a: 1 },
        null,
        'segments',
      ),
      fc
        .tuple(fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 1 }))
        .filter(([tag]) => tag !== 'segments' && tag !== 'members'),
    )
    .map((value) => Buffer.from(JSON.stringify(value)).toString('base64url')),
);

/** Query values that are not RFC 3339 times. */
export const badTime: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '',
    'yesterday',
    '2023-13-01T00:00:00Z',
    '2023-02-30T00:00:00Z',
    '2023-08-01',
    '2023-08-01T00:00:00',
    '1693526400',
    '2023-08-01T00:00:00Z\u0000',
  ),
  fc.string({ unit: 'binary', maxLength: 40 }).filter((text) => !/^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}/.test(text)),
);
