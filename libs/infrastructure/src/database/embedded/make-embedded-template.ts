import { createEmbeddedTemplate, EMBEDDED_TEMPLATE_DIR } from './embedded-template';

/** `npm run build` runs this once: the template every new embedded data directory is copied from. */
createEmbeddedTemplate().then(
  () => process.stdout.write(`embedded database template: ${EMBEDDED_TEMPLATE_DIR}\n`),
  (error: Error) => {
    process.stderr.write(`cannot create the embedded database template: ${error.message}\n`);
    process.exit(1);
  },
);
