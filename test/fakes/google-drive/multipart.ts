export interface Part {
  contentType: string;
  body: Buffer;
}

/** Splits a `multipart/related` body (what Drive's multipart upload sends) into its parts. */
export function parseMultipart(contentType: string, body: Buffer): Part[] {
  const boundary = /boundary=("?)([^";]+)\1/.exec(contentType)?.[2];
  if (!boundary) throw new Error('multipart body without a boundary');
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: Part[] = [];
  let position = body.indexOf(delimiter);
  while (position !== -1) {
    const start = position + delimiter.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    const next = body.indexOf(delimiter, start);
    if (next === -1) throw new Error('multipart body without its closing delimiter');
    const part = body.subarray(start + 2, next - 2); // drop the CRLF after the delimiter and before the next
    const headerEnd = part.indexOf('\r\n\r\n');
    const headers = part.subarray(0, headerEnd).toString();
    parts.push({
      contentType: /^content-type:\s*(.+)$/im.exec(headers)?.[1].trim() ?? '',
      body: part.subarray(headerEnd + 4),
    });
    position = next;
  }
  return parts;
}
