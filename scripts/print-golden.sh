#!/usr/bin/env bash
# Prints the current golden column hashes (see test/golden.test.ts); never edits the test.
cd "$(dirname "$0")/.." && NO_COLOR=1 GOLDEN_PRINT=1 npx vitest run test/golden.test.ts 2>/dev/null | sed "s/\x1b\[[0-9;]*m//g" | sed -n -E '/^(reference-|vae-chain|learned)/,/^}/p'
