// Unit tests of api.js's words for people: a new password's problem, in
// characters, where the server counts bytes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { passwordProblem } from '../assets/api.js';

describe('passwordProblem', () => {
  for (const [password, want] of [
    ['short', /at least 8 characters/],
    ['12345678', null],
    ['é'.repeat(36), null], // 72 bytes
    ['é'.repeat(37), /at most 72 characters, fewer with accented letters or emoji/], // 74 bytes, 37 characters
    ['x'.repeat(73), /too long/],
  ]) {
    it(`${JSON.stringify(password.slice(0, 12))} (${password.length} characters)`, () => {
      const got = passwordProblem(password);
      if (want === null) assert.equal(got, null);
      else {
        assert.match(got, want);
        assert.doesNotMatch(got, /bytes/);
      }
    });
  }
});
