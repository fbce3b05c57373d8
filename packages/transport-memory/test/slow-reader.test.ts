/**
 * A slow reader holds its writer back and memory stays bounded: TLS through a pair whose consumer is paced at a tenth
 * of the pipeline's own free-running speed (measured first, in the same run). The suite pushes 64 MiB;
 * `SLOW_READER_MIB=1024 pnpm exec vitest run packages/transport-memory/test/slow-reader.test.ts` is the 1 GiB run of
 * the issue (minutes, so not in the suite).
 *
 * The bounds, stated:
 * - at every resolved `write()`, bytes written minus bytes consumed <= 512 KiB (the writer waits: 64 KiB chunks, the
 *   driver's 64 KiB outgoing BIO, the pair's 64 KiB high-water mark, the reader's 64 KiB incoming BIO and carry);
 * - the pair never held more than 128 KiB + one record of ciphertext unread;
 * - RSS grows by at most 64 MiB over the run, whatever its length (an unbounded pipeline would hold ~90% of it).
 */
import { secure } from '@tlsbio/core';
import { expect, it } from 'vitest';
import { createPair } from '../src/index.js';
import { clientContext, serverContext } from './helpers.js';

const MiB = 1 << 20;
const TOTAL = Number(process.env.SLOW_READER_MIB ?? 64) * MiB;
const CHUNK = 64 * 1024;
const WARM_UP = 16 * MiB;

it(`pushes ${TOTAL / MiB} MiB to a consumer 10x slower than the producer with bounded memory`, async () => {
  const [clientSide, serverSide] = createPair();
  const client = secure(clientSide, clientContext(), { serverHostname: 'localhost' });
  const server = secure(serverSide, serverContext());
  await Promise.all([client.opened, server.opened]);

  let written = 0;
  let consumed = 0;
  let maxAhead = 0;
  const chunk = new Uint8Array(CHUNK).fill(0x5a);
  const producing = (async () => {
    const writer = client.writable.getWriter();
    while (written < TOTAL + WARM_UP) {
      await writer.write(chunk);
      written += CHUNK;
      maxAhead = Math.max(maxAhead, written - consumed);
    }
    await writer.close();
  })();

  const reader = server.readable.getReader();
  // Warm-up: the consumer reads as fast as it can, which measures the pipeline's free-running speed here, now.
  const started = performance.now();
  while (consumed < WARM_UP) consumed += (await reader.read()).value!.length;
  const freeRate = consumed / (performance.now() - started); // bytes per ms
  const paced = freeRate / 10;

  const baseline = process.memoryUsage().rss;
  let peakRss = baseline;
  let owed = 0;
  let corrupt = 0;
  const pacedStart = performance.now();
  let pacedBytes = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    consumed += value.length;
    pacedBytes += value.length;
    if (value[0] !== 0x5a || value[value.length - 1] !== 0x5a) corrupt++;
    // Pay for what was read at a tenth of the free-running rate.
    owed += value.length / paced;
    if (owed >= 10) {
      await new Promise((resolve) => setTimeout(resolve, owed));
      owed = 0;
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }
  }
  await producing;
  await Promise.all([client.close(), server.close()]);
  const pacedRate = pacedBytes / (performance.now() - pacedStart);
  console.log(
    `slow reader: ${TOTAL / MiB} MiB paced at ${(pacedRate / 1000).toFixed(1)} MB/s (free-running ${(freeRate / 1000).toFixed(1)} MB/s); ` +
      `writer ahead by at most ${(maxAhead / 1024).toFixed(0)} KiB; pair peak ${(clientSide.peakBuffered / 1024).toFixed(0)} KiB; ` +
      `RSS growth ${((peakRss - baseline) / MiB).toFixed(1)} MiB`,
  );
  expect(consumed).toBe(TOTAL + WARM_UP);
  expect(corrupt).toBe(0);
  // The consumer really was the slow side (at most ~a tenth of the free speed, with room for timer slack).
  expect(pacedRate).toBeLessThan(freeRate / 5);
  expect(maxAhead).toBeLessThanOrEqual(512 * 1024);
  expect(clientSide.peakBuffered).toBeLessThanOrEqual(128 * 1024 + 16_645);
  expect(peakRss - baseline).toBeLessThan(64 * MiB);
}, 600_000);
