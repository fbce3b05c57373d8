import { describe, expect, it } from 'vitest';
import { createPair } from '../src/index.js';

const bytes = (...values: number[]) => new Uint8Array(values);

describe('createPair', () => {
  it('delivers writes in order to the other side', async () => {
    const [a, b] = createPair();
    await a.write(bytes(1, 2));
    await a.write(bytes(3));
    expect(await b.read()).toEqual(bytes(1, 2));
    expect(await b.read()).toEqual(bytes(3));
  });

  it('wakes a reader that was waiting before the write', async () => {
    const [a, b] = createPair();
    const pending = b.read();
    await a.write(bytes(9));
    expect(await pending).toEqual(bytes(9));
  });

  it('copies written bytes so the writer may reuse its buffer', async () => {
    const [a, b] = createPair();
    const buffer = bytes(1, 2, 3);
    await a.write(buffer);
    buffer.fill(0);
    expect(await b.read()).toEqual(bytes(1, 2, 3));
  });

  it('half-closes: the peer reads the rest then null, the closer can still read', async () => {
    const [a, b] = createPair();
    await a.write(bytes(5));
    await a.close();
    expect(await b.read()).toEqual(bytes(5));
    expect(await b.read()).toBeNull();
    await b.write(bytes(6));
    expect(await a.read()).toEqual(bytes(6));
  });

  it('rejects a second concurrent read and writes after close', async () => {
    const [a, b] = createPair();
    void b.read();
    await expect(b.read()).rejects.toThrow(/another read/);
    await a.close();
    await expect(a.write(bytes(1))).rejects.toThrow(/after close/);
  });

  it('reports what it is', () => {
    const [a, b] = createPair();
    expect(a.info()).toMatchObject({ kind: 'memory', side: 'client' });
    expect(b.info()).toMatchObject({ kind: 'memory', side: 'server', pair: a.info().pair });
  });
});
