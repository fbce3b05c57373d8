// The relay's pure checks: target parsing, the allow-list grammar, and the address ranges refused after DNS.
import { describe, expect, it } from 'vitest';
import { AddressPolicy, formatAddress, parseAddress, refusedKind } from '../src/relay/address-policy.js';
import { AllowList, parseTarget, targetFromUrl } from '../src/relay/target.js';

const kind = (address: string) => refusedKind(parseAddress(address)!);

describe('targets in the URL', () => {
  it.each([
    ['/db.internal:5432', { host: 'db.internal', port: 5432, isAddress: false }],
    ['/DB.Internal.:5432', { host: 'db.internal', port: 5432, isAddress: false }],
    ['/?target=db.internal:5432', { host: 'db.internal', port: 5432, isAddress: false }],
    ['/10.0.0.1:80', { host: '10.0.0.1', port: 80, isAddress: true }],
    ['/[::1]:443', { host: '0:0:0:0:0:0:0:1', port: 443, isAddress: true }],
    ['/%5B2001:db8::1%5D:443', { host: '2001:db8:0:0:0:0:0:1', port: 443, isAddress: true }],
    ['/[::ffff:127.0.0.1]:443', { host: '127.0.0.1', port: 443, isAddress: true }],
  ])('%s', (url, target) => {
    expect(targetFromUrl(url, '/')).toEqual(target);
  });

  it.each(['/', '/db.internal', '/db.internal:0', '/db.internal:65536', '/db.internal:+80', '/::1:443', '/a b:80', '/%zz:80',
    '/-bad-.example:80', '/2130706433:80', '/0x7f.1:80', `/${'a'.repeat(64)}.example:80`, '/[nothex]:80', '/?target=', '/host:80/extra'])(
    'refuses %s', (url) => {
      expect(typeof targetFromUrl(url, '/')).toBe('string');
    },
  );

  it('reads the target after the path prefix only', () => {
    expect(targetFromUrl('/relay/db:5432', '/relay/')).toMatchObject({ host: 'db', port: 5432 });
    expect(typeof targetFromUrl('/other/db:5432', '/relay/')).toBe('string');
  });
});

describe('the allow-list', () => {
  const list = new AllowList(['db.internal:5432', '*.svc.example:443', 'cache.internal:*', '10.1.2.3:6379', '[2001:db8::1]:443']);
  const permits = (text: string) => list.permits(parseTarget(text) as never);

  it('permits exact entries, wildcard names and any-port entries', () => {
    expect(permits('db.internal:5432')).toBe(true);
    expect(permits('DB.INTERNAL:5432')).toBe(true);
    expect(permits('a.svc.example:443')).toBe(true);
    expect(permits('a.b.svc.example:443')).toBe(true);
    expect(permits('cache.internal:1')).toBe(true);
    expect(permits('10.1.2.3:6379')).toBe(true);
    expect(permits('[2001:db8:0::1]:443')).toBe(true);
  });

  it('refuses everything else', () => {
    expect(permits('db.internal:5433')).toBe(false);
    expect(permits('svc.example:443')).toBe(false); // the wildcard needs a label in front
    expect(permits('evilsvc.example:443')).toBe(false);
    expect(permits('a.svc.example:444')).toBe(false);
    expect(permits('db.internal.evil.example:5432')).toBe(false);
    expect(permits('10.1.2.4:6379')).toBe(false);
    expect(new AllowList([]).permits(parseTarget('db.internal:5432') as never)).toBe(false);
  });

  it.each([['db.internal'], ['*:443'], ['db.internal:99999'], ['*.*.example:443'], ['::1:443']])('rejects the malformed entry %s', (entry) => {
    expect(() => new AllowList([entry])).toThrow(/allow/);
  });
});

describe('addresses refused after DNS', () => {
  it.each([
    ['127.0.0.1', 'loopback'], ['127.8.9.10', 'loopback'], ['::1', 'loopback'], ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'], ['0.0.0.0', 'unspecified'], ['::', 'unspecified'],
    ['10.1.2.3', 'private'], ['172.16.0.1', 'private'], ['172.31.255.255', 'private'], ['192.168.1.1', 'private'],
    ['100.64.0.1', 'private'], ['fd12:3456::1', 'private'], ['169.254.169.254', 'metadata'], ['fd00:ec2::254', 'metadata'],
    ['100.100.100.200', 'metadata'], ['169.254.1.1', 'link-local'], ['fe80::1%eth0', 'link-local'], ['224.0.0.1', 'multicast'],
    ['ff02::1', 'multicast'], ['255.255.255.255', 'reserved'], ['64:ff9b::7f00:1', 'loopback'], ['64:ff9b::a00:1', 'private'],
    ['2002:a9fe:a9fe::1', 'metadata'], ['2001:db8::1', 'reserved'],
  ])('%s is %s', (address, expected) => {
    expect(kind(address)).toBe(expected);
  });

  it.each(['8.8.8.8', '172.32.0.1', '1.1.1.1', '2606:4700::1111', '64:ff9b::808:808'])('%s is public', (address) => {
    expect(kind(address)).toBeUndefined();
  });

  it('exempts only the networks it is given', () => {
    const policy = new AddressPolicy(['127.0.0.1', '10.1.0.0/16', '::1']);
    expect(policy.check(parseAddress('127.0.0.1')!)).toBeUndefined();
    expect(policy.check(parseAddress('::ffff:127.0.0.1')!)).toBeUndefined();
    expect(policy.check(parseAddress('127.0.0.2')!)).toBe('loopback');
    expect(policy.check(parseAddress('10.1.200.3')!)).toBeUndefined();
    expect(policy.check(parseAddress('10.2.0.1')!)).toBe('private');
    expect(policy.check(parseAddress('::1')!)).toBeUndefined();
    expect(policy.check(parseAddress('169.254.169.254')!)).toBe('metadata');
    expect(() => new AddressPolicy(['10.0.0.0/33'])).toThrow(/allowAddresses/);
    expect(() => new AddressPolicy(['example.com'])).toThrow(/allowAddresses/);
  });

  it('formats addresses in a connectable form', () => {
    expect(formatAddress(parseAddress('2001:db8::1')!)).toBe('2001:db8:0:0:0:0:0:1');
    expect(formatAddress(parseAddress('::ffff:10.0.0.1')!)).toBe('10.0.0.1');
  });
});
