/**
 * Compiles the WebAssembly text sources into their committed bytes modules
 * (`npm run build:wasm`): src/random/philox.wat into src/random/philox-wasm-bytes.ts and
 * src/distribution/kernels.wat into src/distribution/kernels-wasm-bytes.ts. The bytes are
 * committed so that building and running need no WebAssembly toolchain; test/prng-fast.test.ts
 * recompiles each text with wabt (a devDependency) and fails when the committed bytes no
 * longer match it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The WebAssembly sources: text file under src/, its bytes module, and the constant it exports. */
export const WAT_SOURCES = {
  philox: { wat: 'random/philox.wat', module: 'random/philox-wasm-bytes.ts', constant: 'PHILOX_WASM_BASE64' },
  kernels: { wat: 'distribution/kernels.wat', module: 'distribution/kernels-wasm-bytes.ts', constant: 'KERNELS_WASM_BASE64' },
} as const;
export type WatSource = keyof typeof WAT_SOURCES;

/** Where a file under src/ lives, from this module (scripts/ under ts, dist/scripts/ when compiled). */
function sourceUrl(path: string): URL {
  const here = import.meta.url;
  return new URL(here.includes('/dist/scripts/') ? `../../src/${path}` : `../src/${path}`, here);
}

/** The WebAssembly binary of one source, as wabt assembles it. */
export async function compileWat(source: WatSource): Promise<Uint8Array> {
  const { default: wabtInit } = await import('wabt');
  const wabt = await wabtInit();
  const { wat } = WAT_SOURCES[source];
  const text = readFileSync(sourceUrl(wat), 'utf8');
  const mod = wabt.parseWat(wat, text, { simd: true });
  try {
    mod.validate();
    return mod.toBinary({ canonicalize_lebs: true }).buffer.slice();
  } finally {
    mod.destroy();
  }
}

/** The WebAssembly binary of philox.wat. */
export const compilePhiloxWat = (): Promise<Uint8Array> => compileWat('philox');

/** The text of a bytes module for a binary. */
export function bytesModule(bytes: Uint8Array, source: WatSource = 'philox'): string {
  const { wat, constant } = WAT_SOURCES[source];
  const name = wat.split('/').pop()!;
  const b64 = Buffer.from(bytes).toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 96) lines.push(`  '${b64.slice(i, i + 96)}'`);
  return [
    `// Generated from ${name} by \`npm run build:wasm\` (scripts/compile-philox-wasm.ts). Do not edit.`,
    `// test/prng-fast.test.ts checks that these bytes are what wabt makes of ${name}.`,
    '',
    `/** The WebAssembly binary of ${name}, base64. */`,
    `export const ${constant} =`,
    `${lines.join(' +\n')};`,
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  for (const source of Object.keys(WAT_SOURCES) as WatSource[]) {
    const bytes = await compileWat(source);
    const out = sourceUrl(WAT_SOURCES[source].module);
    writeFileSync(out, bytesModule(bytes, source));
    process.stdout.write(`${fileURLToPath(out)}: ${bytes.length} bytes\n`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
