import fc from 'fast-check';

/** A request body as bytes on the wire, and what the answer must be when it is known exactly. */
export interface BrokenBody {
  how: string;
  text: string;
  contentType: string;
  status?: number;
}

export interface BodyShape {
  /** Bodies the endpoint would accept; never sent unbroken. */
  valid: fc.Arbitrary<Record<string, unknown>>;
  /** For each field, values the contract rejects. */
  badFields: Record<string, fc.Arbitrary<unknown>>;
  /** Whole bodies that break a rule across fields (conflicts, limits, unknown segments). */
  badWholes?: fc.Arbitrary<Record<string, unknown>>;
}

const JSON_TYPE = 'application/json';

/** A valid body with one field replaced by a bad value. */
const withBadField = (shape: BodyShape) =>
  fc
    .tuple(shape.valid, fc.constantFrom(...Object.keys(shape.badFields)))
    .chain(([body, field]) => shape.badFields[field].map((bad) => ({ body, field, bad })))
    .map(({ body, field, bad }): BrokenBody => ({
      how: `bad ${field}`,
      text: JSON.stringify({ ...body, [field]: bad }),
      contentType: JSON_TYPE,
    }));

/** A valid body plus a field the endpoint does not know (prototype keys included). */
const withUnknownField = (shape: BodyShape) =>
  fc
    .tuple(
      shape.valid,
      fc.oneof(
        fc.string({ minLength: 1, maxLength: 20 }),
        fc.constantFrom('__proto__', 'constructor', 'prototype', 'SLUG', 'slug ', 'user_id', 'id'),
      ),
      fc.jsonValue({ maxDepth: 2 }),
    )
    .filter(([body, key]) => !(key in body) && !Object.keys(shape.badFields).includes(key))
    .map(([body, key, value]): BrokenBody => {
      const text = JSON.stringify(body);
      const extra = `${JSON.stringify(key)}:${JSON.stringify(value) ?? 'null'}`;
      return {
        how: `unknown field ${key}`,
        text: text === '{}' ? `{${extra}}` : `${text.slice(0, -1)},${extra}}`,
        contentType: JSON_TYPE,
      };
    });

/** A valid body whose field appears again, the last time (the one JSON.parse keeps) with a bad value. */
const withDuplicateKey = (shape: BodyShape) =>
  fc
    .tuple(shape.valid, fc.constantFrom(...Object.keys(shape.badFields)))
    .chain(([body, field]) => shape.badFields[field].map((bad) => ({ body, field, bad })))
    .map(({ body, field, bad }): BrokenBody => {
      const text = JSON.stringify(body);
      const duplicate = `${JSON.stringify(field)}:${JSON.stringify(bad) ?? 'null'}`;
      return {
        how: `duplicate ${field}`,
        text: text === '{}' ? `{${duplicate}}` : `${text.slice(0, -1)},${duplicate}}`,
        contentType: JSON_TYPE,
      };
    });

/** Every way to break a body of this shape. */
export function brokenBodies(shape: BodyShape): fc.Arbitrary<BrokenBody> {
  const wholes = shape.badWholes
    ? [
        shape.badWholes.map((body): BrokenBody => ({
          how: 'bad combination',
          text: JSON.stringify(body),
          contentType: JSON_TYPE,
        })),
      ]
    : [];
  return fc.oneof(withBadField(shape), withUnknownField(shape), withDuplicateKey(shape), ...wholes);
}

/** Text that is not JSON, or JSON no endpoint takes: truncated, corrupted, NUL bytes, deep nesting, bare values. */
export function malformedJson(valid: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<BrokenBody> {
  const json = (how: string, text: string): BrokenBody => ({ how, text, contentType: JSON_TYPE });
  return fc.oneof(
    fc.tuple(valid, fc.nat()).map(([body, cut]) => {
      const text = JSON.stringify(body);
      return json('truncated', text.slice(0, cut % text.length));
    }),
    fc
      .tuple(valid, fc.nat(), fc.constantFrom('\u0000', '{', '}', '"', ',', ':', ']', '\\', "'", 'x', '\u001f'))
      .map(([body, at, char]) => {
        const text = JSON.stringify(body);
        const index = at % (text.length + 1);
        return json(`inserted ${JSON.stringify(char)}`, text.slice(0, index) + char + text.slice(index));
      })
      .filter((broken) => {
        try {
          JSON.parse(broken.text);
          return false;
        } catch {
          return true;
        }
      }),
    fc
      .constantFrom(
        '',
        ' ',
        'null',
        'true',
        '0',
        '-1',
        '"text"',
        '[]',
        '[{}]',
        'NaN',
        '{"a":1}{"b":2}',
        "{'slug':'X'}",
        '{"slug":"X",}',
        '\u0000',
        '\ufeff{}',
      )
      .map((text) => json('bare', text)),
    fc
      .integer({ min: 17, max: 200_000 })
      .map((depth) => json(`array nesting ${depth}`, `{"add":${'['.repeat(depth)}${']'.repeat(depth)}}`)),
    fc
      .integer({ min: 17, max: 50_000 })
      .map((depth) => json(`object nesting ${depth}`, `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`)),
    fc
      .constantFrom('{"__proto__":{"admin":true}}', '{"constructor":{"prototype":{"admin":true}}}')
      .map((text) => json('prototype poisoning', text)),
  );
}

/** A body over 1 MiB: JSON padded with a long string, a long array or whitespace. */
export function oversizeBodies(valid: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<BrokenBody> {
  const MiB = 1024 * 1024;
  return fc
    .tuple(valid, fc.integer({ min: 1, max: MiB }), fc.constantFrom('string', 'array', 'spaces'))
    .map(([body, over, how]): BrokenBody => {
      const size = MiB + over;
      const text =
        how === 'string'
          ? JSON.stringify({ ...body, padding: 'x'.repeat(size) })
          : how === 'array'
            ? JSON.stringify({ ...body, user_ids: new Array(Math.ceil(size / 2)).fill(1) })
            : `${JSON.stringify(body)}${' '.repeat(size)}`;
      return { how: `oversize (${how}, ${text.length} bytes)`, text, contentType: JSON_TYPE, status: 413 };
    });
}

/** A valid JSON body sent as something other than JSON. */
export function wrongContentTypes(valid: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<BrokenBody> {
  return fc
    .tuple(
      valid,
      fc.constantFrom(
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/xml',
        'text/html',
        'application/octet-stream',
        'image/png',
      ),
    )
    .map(([body, contentType]): BrokenBody => ({
      how: `sent as ${contentType}`,
      text: JSON.stringify(body),
      contentType,
      status: 415,
    }));
}
