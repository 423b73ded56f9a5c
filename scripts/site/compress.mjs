// Writes FILE.gz and FILE.br beside every file of the folders given, at the strongest settings:
// the server sends them as they are to browsers that accept them, compressing nothing per request.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const folders = process.argv.slice(2);
if (folders.length === 0) {
  console.error('usage: node compress.mjs FOLDER…');
  process.exit(2);
}
for (const folder of folders) for (const name of readdirSync(folder)) {
  const path = join(folder, name);
  if (!statSync(path).isFile() || name.endsWith('.gz') || name.endsWith('.br')) continue;
  const body = readFileSync(path);
  if (body.length === 0) continue;
  const gzip = gzipSync(body, { level: 9 });
  const brotli = brotliCompressSync(body, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
    },
  });
  writeFileSync(`${path}.gz`, gzip);
  writeFileSync(`${path}.br`, brotli);
  console.log(`${name}: ${body.length} bytes, gzip ${gzip.length}, brotli ${brotli.length}`);
}
