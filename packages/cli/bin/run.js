#!/usr/bin/env node
'use strict';

require('../dist/src/main')
  .main()
  .then((code) => process.exit(code));
