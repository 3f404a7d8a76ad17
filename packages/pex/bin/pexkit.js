#!/usr/bin/env node
// The `pexkit` command. A checked-in file (not dist/cli/main.js itself) so that npm links the
// bin when a fresh clone runs `npm ci`: npm creates bin links before the postinstall build
// writes dist/, and skips a bin whose target does not exist yet.
import '../dist/cli/main.js';
