'use strict';
/** Command-line options of the benchmark scripts. */

/**
 * `--name N` for each number in `defaults` (camelCase keys, dashed on the command line), and the
 * `switches`: `{ '--no-build': ['build', false] }`. `--help` prints the script's leading doc comment.
 */
function parseOptions(argv, defaults, switches, script) {
  const options = { ...defaults };
  const numbers = new Map(
    Object.keys(defaults)
      .filter((key) => typeof defaults[key] === 'number')
      .map((key) => [`--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`, key]),
  );
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (numbers.has(arg)) {
      const next = argv[++i];
      if (next === undefined || !/^\d+$/.test(next)) throw new Error(`${arg} needs a positive integer`);
      options[numbers.get(arg)] = Number(next);
    } else if (switches[arg]) {
      const [key, value] = switches[arg];
      options[key] = value;
    } else if (arg === '--help' || arg === '-h') {
      const text = require('node:fs').readFileSync(script, 'utf8');
      console.log(text.slice(text.indexOf('/**'), text.indexOf('*/') + 2));
      process.exit(0);
    } else throw new Error(`unknown option ${arg} (see --help)`);
  }
  return options;
}

module.exports = { parseOptions };
