import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shaCrypt, verifyShaCrypt } from './sha-crypt.ts';

test('SHA-crypt matches openssl passwd -5/-6 (and glibc\'s rounds= form)', () => {
  assert.equal(shaCrypt('secret', '$6$saltsalt'), '$6$saltsalt$TVLlQcbpFVof5W3Yz4DTP6gRstiNuHwwTt6GLc1E5n0U0aDehy0S5knV8wiOQSpT0Y77vwPZN.Pq.H91p5hVO1');
  assert.equal(shaCrypt('secret', '$5$saltsalt'), '$5$saltsalt$0IyaXrmV7.sGNS6tirgqHLqX/G.FBvgkYA.lpPdS5sA');
  assert.equal(shaCrypt('Hello world!', '$5$saltstring'), '$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5');
  assert.equal(shaCrypt('Hello world!', '$6$rounds=10000$saltstringsaltstring'), '$6$rounds=10000$saltstringsaltst$OW1/O6BYHV6BcXZu8QVeXbDWra3Oeqh0sbHbbMCVNSnCM/UrjmM0Dp8vOuZeHBy/YTBmSK6H9qs/y3RnOaw5v.');
  assert.ok(verifyShaCrypt('secret', '$6$saltsalt$TVLlQcbpFVof5W3Yz4DTP6gRstiNuHwwTt6GLc1E5n0U0aDehy0S5knV8wiOQSpT0Y77vwPZN.Pq.H91p5hVO1'));
  assert.ok(!verifyShaCrypt('Secret', '$6$saltsalt$TVLlQcbpFVof5W3Yz4DTP6gRstiNuHwwTt6GLc1E5n0U0aDehy0S5knV8wiOQSpT0Y77vwPZN.Pq.H91p5hVO1'));
  assert.equal(shaCrypt('x', '$1$abc'), null);
});
