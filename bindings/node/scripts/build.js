#!/usr/bin/env node
// Builds the native addon from source and puts it where index.js loads it.
//
// Runs `cargo build --release -p wxdecrypt-node` in the workspace this
// package lives in, reads the path of the built library from cargo's own
// messages (so CARGO_TARGET_DIR and the platform's file name are respected),
// and copies it to `wxdecrypt.node` next to index.js. Nothing is downloaded
// but the crates cargo needs; no prebuilt binary is fetched.
'use strict';

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const packageDir = path.resolve(__dirname, '..');
const target = path.join(packageDir, 'wxdecrypt.node');
const profile = process.argv.includes('--debug') ? [] : ['--release'];

const cargo = process.env.CARGO || 'cargo';
const run = spawnSync(
  cargo,
  ['build', ...profile, '-p', 'wxdecrypt-node', '--message-format=json-render-diagnostics'],
  { cwd: packageDir, stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 * 1024 * 1024 },
);
if (run.error) {
  console.error(`build: cannot run ${cargo}: ${run.error.message}`);
  process.exit(1);
}
if (run.status !== 0) {
  console.error(`build: cargo exited with status ${run.status}`);
  process.exit(run.status || 1);
}

// The compiler-artifact message of this crate's cdylib names the file.
let built = null;
for (const line of run.stdout.toString('utf8').split('\n')) {
  if (!line.startsWith('{')) continue;
  const message = JSON.parse(line);
  if (
    message.reason === 'compiler-artifact' &&
    message.target &&
    message.target.name === 'wxdecrypt_node' &&
    message.target.kind.includes('cdylib')
  ) {
    built = message.filenames.find((f) => /\.(so|dylib|dll)$/.test(f)) || null;
  }
}
if (!built) {
  console.error('build: cargo did not report the wxdecrypt_node library');
  process.exit(1);
}

// Copy to a temporary name, then rename: a process that has the old addon
// loaded keeps its mapping, and nobody sees a half-written file.
const partial = `${target}.partial`;
fs.copyFileSync(built, partial);
fs.renameSync(partial, target);
console.log(`build: ${path.relative(process.cwd(), built)} -> ${path.relative(process.cwd(), target)}`);
