/** narrow-kernel.wat compiled by wabt (for the build script and the test that keeps the embedded bytes in step). */
import * as fs from 'node:fs';
import wabtInit from 'wabt';

export async function compileNarrowKernel(): Promise<Uint8Array> {
  const wabt = await wabtInit();
  const path = new URL('./narrow-kernel.wat', import.meta.url);
  const module = wabt.parseWat('narrow-kernel.wat', fs.readFileSync(path, 'utf8'), { simd: true });
  try {
    return module.toBinary({}).buffer;
  } finally {
    module.destroy();
  }
}
