/**
 * Client authentication: trust, cleartext password, md5 and SCRAM-SHA-256
 * (RFC 5802 / RFC 7677 as PostgreSQL implements it, without channel binding).
 *
 * An `Authenticator` is a small state machine: `start()` gives the first
 * server message; `step(body)` consumes each PasswordMessage /
 * SASLInitialResponse / SASLResponse and answers with the next message, or
 * says the client is authenticated or refused.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { MessageReader, ProtocolError } from './messages.js';

export type AuthMethod = 'trust' | 'password' | 'md5' | 'scram-sha-256';

export const AUTH_OK = 0;
export const AUTH_CLEARTEXT = 3;
export const AUTH_MD5 = 5;
export const AUTH_SASL = 10;
export const AUTH_SASL_CONTINUE = 11;
export const AUTH_SASL_FINAL = 12;

export type AuthStep =
  | { kind: 'send'; code: number; data?: Buffer }
  | { kind: 'ok'; final?: { code: number; data: Buffer } }
  | { kind: 'fail'; reason: string };

export interface Authenticator {
  start(): AuthStep;
  step(body: Buffer): AuthStep;
}

/** Precomputed SCRAM verifier (what PostgreSQL stores in pg_authid.rolpassword). */
export interface ScramSecret {
  salt: Buffer;
  iterations: number;
  storedKey: Buffer;
  serverKey: Buffer;
}

export function scramSecret(password: string, iterations = 4096, salt = randomBytes(16)): ScramSecret {
  const salted = pbkdf2Sync(password.normalize('NFKC'), salt, iterations, 32, 'sha256');
  const clientKey = hmac(salted, 'Client Key');
  return { salt, iterations, storedKey: sha256(clientKey), serverKey: hmac(salted, 'Server Key') };
}

function hmac(key: Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}
function sha256(b: Buffer): Buffer {
  return createHash('sha256').update(b).digest();
}
function md5hex(s: string | Buffer): string {
  return createHash('md5').update(s).digest('hex');
}

function safeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

function passwordBody(body: Buffer): string {
  const r = new MessageReader(body);
  return r.cstring();
}

export function createAuthenticator(method: AuthMethod, user: string, password: string, scram?: ScramSecret): Authenticator {
  switch (method) {
    case 'trust':
      return { start: () => ({ kind: 'ok' }), step: () => ({ kind: 'ok' }) };
    case 'password':
      return {
        start: () => ({ kind: 'send', code: AUTH_CLEARTEXT }),
        step: (body) => (safeEqual(Buffer.from(passwordBody(body)), Buffer.from(password)) ? { kind: 'ok' } : { kind: 'fail', reason: 'wrong password' }),
      };
    case 'md5': {
      const salt = randomBytes(4);
      return {
        start: () => ({ kind: 'send', code: AUTH_MD5, data: salt }),
        step: (body) => {
          const expected = 'md5' + md5hex(Buffer.concat([Buffer.from(md5hex(password + user)), salt]));
          return safeEqual(Buffer.from(passwordBody(body)), Buffer.from(expected)) ? { kind: 'ok' } : { kind: 'fail', reason: 'wrong password' };
        },
      };
    }
    case 'scram-sha-256':
      return new ScramAuthenticator(scram ?? scramSecret(password));
  }
}

class ScramAuthenticator implements Authenticator {
  private state: 'initial' | 'continue' | 'done' = 'initial';
  private clientFirstBare = '';
  private serverFirst = '';
  private nonce = '';

  constructor(private readonly secret: ScramSecret) {}

  start(): AuthStep {
    // mechanism list: "SCRAM-SHA-256\0\0"
    return { kind: 'send', code: AUTH_SASL, data: Buffer.from('SCRAM-SHA-256\0\0') };
  }

  step(body: Buffer): AuthStep {
    const r = new MessageReader(body);
    if (this.state === 'initial') {
      const mechanism = r.cstring();
      if (mechanism !== 'SCRAM-SHA-256') return { kind: 'fail', reason: `client selected an invalid SASL authentication mechanism "${mechanism}"` };
      const len = r.int32();
      const msg = len >= 0 ? r.bytes(len).toString('utf8') : '';
      // gs2-header: "n,," (or "y,,"; "p=..." asks for channel binding, which is not offered)
      const m = /^([ny]),([^,]*),(.*)$/.exec(msg);
      if (!m) throw new ProtocolError('malformed SCRAM message');
      this.clientFirstBare = m[3]!;
      const clientNonce = /(?:^|,)r=([^,]*)/.exec(this.clientFirstBare)?.[1];
      if (!clientNonce) throw new ProtocolError('malformed SCRAM message');
      this.nonce = clientNonce + randomBytes(18).toString('base64');
      this.serverFirst = `r=${this.nonce},s=${this.secret.salt.toString('base64')},i=${this.secret.iterations}`;
      this.state = 'continue';
      return { kind: 'send', code: AUTH_SASL_CONTINUE, data: Buffer.from(this.serverFirst) };
    }
    if (this.state === 'continue') {
      this.state = 'done';
      const msg = body.toString('utf8');
      const proofAt = msg.lastIndexOf(',p=');
      if (proofAt < 0) throw new ProtocolError('malformed SCRAM message');
      const withoutProof = msg.slice(0, proofAt);
      const proof = Buffer.from(msg.slice(proofAt + 3), 'base64');
      const nonce = /(?:^|,)r=([^,]*)/.exec(withoutProof)?.[1];
      if (nonce !== this.nonce) return { kind: 'fail', reason: 'SCRAM nonce mismatch' };
      const authMessage = `${this.clientFirstBare},${this.serverFirst},${withoutProof}`;
      const clientSignature = createHmac('sha256', this.secret.storedKey).update(authMessage).digest();
      if (proof.length !== clientSignature.length) return { kind: 'fail', reason: 'wrong password' };
      const clientKey = Buffer.alloc(proof.length);
      for (let i = 0; i < proof.length; i++) clientKey[i] = proof[i]! ^ clientSignature[i]!;
      if (!safeEqual(sha256(clientKey), this.secret.storedKey)) return { kind: 'fail', reason: 'wrong password' };
      const serverSignature = createHmac('sha256', this.secret.serverKey).update(authMessage).digest('base64');
      return { kind: 'ok', final: { code: AUTH_SASL_FINAL, data: Buffer.from(`v=${serverSignature}`) } };
    }
    throw new ProtocolError('unexpected SASL message');
  }
}
