/**
 * Compiles narrow-kernel.wat and writes its bytes into narrow-kernel.ts (a maintainer's tool:
 * wabt is a development dependency only, and the engine never compiles WAT at run time).
 */
import * as fs from 'node:fs';
import { compileNarrowKernel } from './narrow-kernel-wat.js';

const target = new URL('./narrow-kernel.ts', import.meta.url);
const bytes = await compileNarrowKernel();
const source = fs.readFileSync(target, 'utf8');
const next = source.replace(/const KERNEL_BASE64 =\n  '[^']*';/, `const KERNEL_BASE64 =\n  '${Buffer.from(bytes).toString('base64')}';`);
if (next === source) console.log('narrow-kernel.ts is up to date');
else {
  fs.writeFileSync(target, next);
  console.log(`narrow-kernel.ts: ${bytes.length} bytes of WebAssembly written`);
}
