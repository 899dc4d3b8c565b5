#!/usr/bin/env node
'use strict';

try {
  process.cwd();
} catch (e) {
  // Before oclif loads (it warns about a missing cwd on its own): one line, as every error.
  const err = require('@lth/kernel').ioError(e);
  process.stderr.write(`Error: ${err.message} [${err.code}]\n`);
  process.exit(2);
}

require('../dist/src/main')
  .main()
  .then((code) => process.exit(code));
