/**
 * The Node Duplex is not tied to TCP: HTTP/1.1 over TLS over an in-memory pair with fragmentation, a Node
 * `http.createServer` on one side (fed with `toDuplex`) and `http.request({ createConnection })` on the other.
 */
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { TLSContext, secure } from '@tlsbio/core';
import { createPair } from '@tlsbio/transport-memory';
import { toDuplex } from '@tlsbio/transport-net';
import { expect, it } from 'vitest';

const pkiDir = fileURLToPath(new URL('../../../packages/core/test/fixtures/pki/', import.meta.url));
const pki = (name: string) => readFileSync(`${pkiDir}${name}`, 'utf8');

it('http.request → TLS → fragmented memory pair → TLS → http.createServer, a 200 KB POST echoed', async () => {
  const serverContext = new TLSContext('server');
  serverContext.loadCertChain(pki('server-ecdsa-chain.pem'), pki('server-ecdsa.key'));
  const clientContext = new TLSContext('client');
  clientContext.loadVerifyLocations({ cadata: pki('ca.pem') });

  const web = createHttpServer((req, res) => {
    res.setHeader('x-tls', `${(req.socket as unknown as { getProtocol(): string }).getProtocol()}`);
    req.pipe(res);
  });
  const body = Buffer.alloc(200_000, 'tlsbio ');
  const answer = await new Promise<{ status: number | undefined; tls: unknown; body: Buffer }>((resolve, reject) => {
    const req = request(
      {
        method: 'POST',
        host: 'in-memory',
        path: '/echo',
        createConnection: () => {
          const [clientSide, serverSide] = createPair({ fragment: 900, seed: 5 });
          web.emit('connection', toDuplex(secure(serverSide, serverContext)));
          return toDuplex(secure(clientSide, clientContext, { serverHostname: 'localhost' })) as never;
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode, tls: res.headers['x-tls'], body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
  expect(answer.status).toBe(200);
  expect(answer.tls).toBe('TLSv1.3');
  expect(answer.body.equals(body)).toBe(true);
  web.close();
  await once(web, 'close');
});
