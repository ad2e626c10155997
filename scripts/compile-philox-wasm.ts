/**
 * Compiles src/random/philox.wat into the committed bytes module
 * src/random/philox-wasm-bytes.ts (`npm run build:wasm`). The bytes are committed so that
 * building and running need no WebAssembly toolchain; test/prng-fast.test.ts recompiles the
 * text with wabt (a devDependency) and fails when the committed bytes no longer match it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Where the WAT source lives, from this module (scripts/ under ts, dist/scripts/ when compiled). */
function sourceUrl(name: string): URL {
  const here = import.meta.url;
  return new URL(here.includes('/dist/scripts/') ? `../../src/random/${name}` : `../src/random/${name}`, here);
}

/** The WebAssembly binary of philox.wat, as wabt assembles it. */
export async function compilePhiloxWat(): Promise<Uint8Array> {
  const { default: wabtInit } = await import('wabt');
  const wabt = await wabtInit();
  const text = readFileSync(sourceUrl('philox.wat'), 'utf8');
  const mod = wabt.parseWat('philox.wat', text, { simd: true });
  try {
    mod.validate();
    return mod.toBinary({ canonicalize_lebs: true }).buffer.slice();
  } finally {
    mod.destroy();
  }
}

/** The text of philox-wasm-bytes.ts for a binary. */
export function bytesModule(bytes: Uint8Array): string {
  const b64 = Buffer.from(bytes).toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 96) lines.push(`  '${b64.slice(i, i + 96)}'`);
  return [
    '// Generated from philox.wat by `npm run build:wasm` (scripts/compile-philox-wasm.ts). Do not edit.',
    '// test/prng-fast.test.ts checks that these bytes are what wabt makes of philox.wat.',
    '',
    '/** The WebAssembly binary of philox.wat, base64. */',
    'export const PHILOX_WASM_BASE64 =',
    `${lines.join(' +\n')};`,
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  const bytes = await compilePhiloxWat();
  const out = sourceUrl('philox-wasm-bytes.ts');
  writeFileSync(out, bytesModule(bytes));
  process.stdout.write(`${fileURLToPath(out)}: ${bytes.length} bytes\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
