import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { buildOpenApiDocumentOffline, serializeOpenApi } from './openapi-offline';

/** `npm run openapi`: writes the OpenAPI document (default docs/openapi.json) without a database. */
async function main(): Promise<void> {
  const target = resolve(process.argv[2] ?? 'docs/openapi.json');
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, serializeOpenApi(await buildOpenApiDocumentOffline()));
  process.stdout.write(`wrote ${target}\n`);
}

main().catch((error: Error) => {
  process.stderr.write(`openapi: ${error.stack ?? error.message}\n`);
  process.exit(1);
});
