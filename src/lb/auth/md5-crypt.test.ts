/**
 * MD5-crypt (`$1$`) against `openssl passwd -1` (run here when openssl is installed; the
 * fixed values below were produced by it), and through a userlist.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { md5Crypt, verifyMd5Crypt } from './md5-crypt.ts';
import { Userlist } from './userlist.ts';

const hasOpenssl = spawnSync('openssl', ['version']).status === 0;

test('MD5-crypt: known values from openssl passwd -1', () => {
  assert.equal(md5Crypt('secret', '$1$abcdefgh'), '$1$abcdefgh$cHJi5PXp/ki/ktXzqlk6I1');
  assert.equal(md5Crypt('', '$1$xy'), '$1$xy$JSgu5Zv4igzK2ULm5nTM30');
  assert.equal(md5Crypt('a much longer password with spaces', '$1$Z9./$whatever'), '$1$Z9./$ktyqgFBFeHisR3wxNYULA/');
  assert.equal(md5Crypt('x', '$5$abc'), null);
  assert.ok(verifyMd5Crypt('secret', '$1$abcdefgh$cHJi5PXp/ki/ktXzqlk6I1'));
  assert.ok(!verifyMd5Crypt('secreT', '$1$abcdefgh$cHJi5PXp/ki/ktXzqlk6I1'));
  assert.ok(!verifyMd5Crypt('secret', '$1$abcdefgh$cHJi5PXp'));
});

test('MD5-crypt equals openssl passwd -1 for passwords of 0…40 bytes and salts of 1…8 characters', { skip: hasOpenssl ? false : 'no openssl' }, () => {
  const salts = ['a', 'Zz', './9', 'salt', 'saltsa', 'salt./X', 'abcdefgh', 'abcdefghij'];
  for (let n = 0; n <= 40; n += 3) {
    const pw = 'pässwörd-'.repeat(5).slice(0, n);
    const salt = salts[n % salts.length]!;
    const ref = execFileSync('openssl', ['passwd', '-1', '-salt', salt, pw]).toString().trim();
    assert.equal(md5Crypt(pw, `$1$${salt}`), ref, `password ${JSON.stringify(pw)} salt ${salt}`);
  }
});

test('a userlist checks $1$ passwords', () => {
  const u = new Userlist('ul');
  u.users.set('alice', { name: 'alice', hash: '$1$abcdefgh$cHJi5PXp/ki/ktXzqlk6I1', insecure: null, groups: new Set() });
  assert.equal(u.check('alice', 'secret'), 'alice');
  assert.equal(u.check('alice', 'nope'), null);
});
