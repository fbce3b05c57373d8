/**
 * The TLS 1.3 key schedule as a chain of stages (RFC 8446 §7.1):
 *
 * ```
 *            0
 *            |
 *  PSK ->  HKDF-Extract = Early Secret ----> binder_key, client_early_traffic_secret, early_exporter_master_secret
 *            |
 *      Derive-Secret(., "derived", "")
 *            |
 * (EC)DHE -> HKDF-Extract = Handshake Secret -> client/server_handshake_traffic_secret
 *            |
 *      Derive-Secret(., "derived", "")
 *            |
 *  0 ->    HKDF-Extract = Master Secret ---> client/server_application_traffic_secret_0, exporter_master_secret,
 *                                            resumption_master_secret
 * ```
 *
 * One object walks the chain once, forwards only (rustls `KeySchedule`, Go `tls13.go`). Each derivation is valid only
 * at its stage; asking for one at another stage is a bug in the state machine, not the peer's fault, and throws
 * `ProtocolError('INTERNAL_ERROR', …, { fault: 'local' })` (alert internal_error). Moving to the next stage wipes the
 * previous stage's secret, so a later bug cannot reach it.
 */
import { InvalidArgumentError, ProtocolError } from '@tlsbio/errors';
import { hkdfExtract } from '../crypto/hkdf.js';
import type { HashAlgorithm } from '../crypto/provider.js';
import { deriveSecret } from './hkdf-label.js';
import { Label } from './labels.js';

/** The stage a {@link KeySchedule13} is at: which secret it holds. */
export type KeyScheduleStage = 'early' | 'handshake' | 'master';

/**
 * The TLS 1.3 key schedule of one connection (RFC 8446 §7.1).
 *
 * @example
 * const schedule = new KeySchedule13(sha256);              // no PSK: early secret from zeros
 * schedule.enterHandshake(sharedSecret);                    // (EC)DHE
 * const c = schedule.clientHandshakeTrafficSecret(transcript.current());
 * schedule.enterMaster();
 * const capp = schedule.clientApplicationTrafficSecret(transcript.current());
 */
export class KeySchedule13 {
  readonly hash: HashAlgorithm;
  #stage: KeyScheduleStage = 'early';
  /** The secret of the current stage: Early Secret, then Handshake Secret, then Master Secret. */
  #secret: Uint8Array;
  /** Transcript-Hash("") = Hash(""), the context of every Derive-Secret(., ., "") (§7.1). */
  #emptyHash: Uint8Array;

  /**
   * Computes the Early Secret = HKDF-Extract(salt = 0, IKM = PSK), where 0 and a missing PSK are Hash.length zero
   * bytes (RFC 8446 §7.1).
   * @throws InvalidArgumentError (`INVALID_ARGUMENT`) when `psk` is given but is not a non-empty Uint8Array.
   */
  constructor(hash: HashAlgorithm, psk?: Uint8Array) {
    if (psk !== undefined && (!(psk instanceof Uint8Array) || psk.length === 0)) {
      throw new InvalidArgumentError('psk', 'INVALID_ARGUMENT', 'must be a non-empty Uint8Array');
    }
    this.hash = hash;
    const zeros = new Uint8Array(hash.outputLength);
    this.#secret = hkdfExtract(hash, zeros, psk ?? zeros);
    this.#emptyHash = hash.digest(new Uint8Array(0));
  }

  /** Which stage the schedule is at. */
  get stage(): KeyScheduleStage {
    return this.#stage;
  }

  /**
   * A copy of the current stage's secret (Early, Handshake or Master Secret). For tests and diagnostics: the key log
   * format never needs it, and it must never be logged.
   */
  stageSecret(): Uint8Array {
    return this.#secret.slice();
  }

  /**
   * binder_key = Derive-Secret(Early Secret, "ext binder" | "res binder", "") (RFC 8446 §7.1). The binder itself is
   * `finishedVerifyData(hash, binderKey, transcript.currentWith(truncatedClientHello))` (§4.2.11.2).
   * @throws ProtocolError (`INTERNAL_ERROR`, local) after {@link enterHandshake}.
   */
  binderKey(kind: 'external' | 'resumption'): Uint8Array {
    this.#expect('early', 'binderKey');
    const label = kind === 'external' ? Label.extBinder : Label.resBinder;
    return deriveSecret(this.hash, this.#secret, label, this.#emptyHash);
  }

  /**
   * client_early_traffic_secret = Derive-Secret(Early Secret, "c e traffic", ClientHello) (RFC 8446 §7.1).
   * @throws ProtocolError (`INTERNAL_ERROR`, local) after {@link enterHandshake}.
   * @throws InvalidArgumentError (`INVALID_ARGUMENT`) when the hash is not Hash.length bytes.
   */
  clientEarlyTrafficSecret(clientHelloHash: Uint8Array): Uint8Array {
    return this.#derive('early', Label.clientEarlyTraffic, clientHelloHash, 'clientEarlyTrafficSecret');
  }

  /**
   * early_exporter_master_secret = Derive-Secret(Early Secret, "e exp master", ClientHello) (RFC 8446 §7.1).
   * @throws ProtocolError (`INTERNAL_ERROR`, local) after {@link enterHandshake}.
   * @throws InvalidArgumentError (`INVALID_ARGUMENT`) when the hash is not Hash.length bytes.
   */
  earlyExporterMasterSecret(clientHelloHash: Uint8Array): Uint8Array {
    return this.#derive('early', Label.earlyExporterMaster, clientHelloHash, 'earlyExporterMasterSecret');
  }

  /**
   * Handshake Secret = HKDF-Extract(Derive-Secret(Early Secret, "derived", ""), (EC)DHE) (RFC 8446 §7.1). For
   * psk_ke (no key exchange) pass Hash.length zero bytes, `new Uint8Array(schedule.hash.outputLength)`.
   * @throws ProtocolError (`INTERNAL_ERROR`, local) unless at the early stage.
   * @throws InvalidArgumentError (`INVALID_ARGUMENT`) when `sharedSecret` is not a non-empty Uint8Array.
   */
  enterHandshake(sharedSecret: Uint8Array): void {
    this.#expect('early', 'enterHandshake');
    if (!(sharedSecret instanceof Uint8Array) || sharedSecret.length === 0) {
      throw new InvalidArgumentError('sharedSecret', 'INVALID_ARGUMENT', 'must be a non-empty Uint8Array');
    }
    this.#advance('handshake', sharedSecret);
  }

  /**
   * client_handshake_traffic_secret = Derive-Secret(Handshake Secret, "c hs traffic", ClientHello...ServerHello).
   * @throws ProtocolError (`INTERNAL_ERROR`, local) unless at the handshake stage.
   * @throws InvalidArgumentError (`INVALID_ARGUMENT`) when the hash is not Hash.length bytes.
   */
  clientHandshakeTrafficSecret(transcriptHash: Uint8Array): Uint8Array {
    return this.#derive('handshake', Label.clientHandshakeTraffic, transcriptHash, 'clientHandshakeTrafficSecret');
  }

  /**
   * server_handshake_traffic_secret = Derive-Secret(Handshake Secret, "s hs traffic", ClientHello...ServerHello).
   * @throws ProtocolError (`INTERNAL_ERROR`, local) unless at the handshake stage.
   * @throws InvalidArgumentError (`INVALID_ARGUMENT`) when the hash is not Hash.length bytes.
   */
  serverHandshakeTrafficSecret(transcriptHash: Uint8Array): Uint8Array {
    return this.#derive('handshake', Label.serverHandshakeTraffic, transcriptHash, 'serverHandshakeTrafficSecret');
  }

  /**
   * Master Secret = HKDF-Extract(Derive-Secret(Handshake Secret, "derived", ""), 0) (RFC 8446 §7.1).
   * @throws ProtocolError (`INTERNAL_ERROR`, local) unless at the handshake stage.
   */
  enterMaster(): void {
    this.#expect('handshake', 'enterMaster');
    this.#advance('master', new Uint8Array(this.hash.outputLength));
  }

  /**
   * client_application_traffic_secret_0 = Derive-Secret(Master Secret, "c ap traffic", ClientHello...server Finished).
   * @throws ProtocolError (`INTERNAL_ERROR`, local) unless at the master stage.
   * @throws InvalidArgumentError (`INVALID_ARGUMENT`) when the hash is not Hash.length bytes.
   */
  clientApplicationTrafficSecret(transcriptHash: Uint8Array): Uint8Array {
    return this.#derive('master', Label.clientApplicationTraffic, transcriptHash, 'clientApplicationTrafficSecret');
  }

  /**
   * server_application_traffic_secret_0 = Derive-Secret(Master Secret, "s ap traffic", ClientHello...server Finished).
   * @throws ProtocolError (`INTERNAL_ERROR`, local) unless at the master stage.
   * @throws InvalidArgumentError (`INVALID_ARGUMENT`) when the hash is not Hash.length bytes.
   */
  serverApplicationTrafficSecret(transcriptHash: Uint8Array): Uint8Array {
    return this.#derive('master', Label.serverApplicationTraffic, transcriptHash, 'serverApplicationTrafficSecret');
  }

  /**
   * exporter_master_secret = Derive-Secret(Master Secret, "exp master", ClientHello...server Finished).
   * @throws ProtocolError (`INTERNAL_ERROR`, local) unless at the master stage.
   * @throws InvalidArgumentError (`INVALID_ARGUMENT`) when the hash is not Hash.length bytes.
   */
  exporterMasterSecret(transcriptHash: Uint8Array): Uint8Array {
    return this.#derive('master', Label.exporterMaster, transcriptHash, 'exporterMasterSecret');
  }

  /**
   * resumption_master_secret = Derive-Secret(Master Secret, "res master", ClientHello...client Finished).
   * @throws ProtocolError (`INTERNAL_ERROR`, local) unless at the master stage.
   * @throws InvalidArgumentError (`INVALID_ARGUMENT`) when the hash is not Hash.length bytes.
   */
  resumptionMasterSecret(transcriptHash: Uint8Array): Uint8Array {
    return this.#derive('master', Label.resumptionMaster, transcriptHash, 'resumptionMasterSecret');
  }

  #derive(stage: KeyScheduleStage, label: string, transcriptHash: Uint8Array, method: string): Uint8Array {
    this.#expect(stage, method);
    if (!(transcriptHash instanceof Uint8Array) || transcriptHash.length !== this.hash.outputLength) {
      const message = `must be a ${this.hash.outputLength}-byte ${this.hash.name} transcript hash`;
      throw new InvalidArgumentError('transcriptHash', 'INVALID_ARGUMENT', message);
    }
    return deriveSecret(this.hash, this.#secret, label, transcriptHash);
  }

  /** Next secret = HKDF-Extract(Derive-Secret(current, "derived", ""), ikm); the current one is wiped (§7.1). */
  #advance(next: KeyScheduleStage, ikm: Uint8Array): void {
    const salt = deriveSecret(this.hash, this.#secret, Label.derived, this.#emptyHash);
    const secret = hkdfExtract(this.hash, salt, ikm);
    this.#secret.fill(0);
    salt.fill(0);
    this.#secret = secret;
    this.#stage = next;
  }

  #expect(stage: KeyScheduleStage, method: string): void {
    if (this.#stage !== stage) {
      throw new ProtocolError(
        'INTERNAL_ERROR',
        `key schedule: ${method}() needs the ${stage} stage, but the schedule is at the ${this.#stage} stage`,
        { fault: 'local' },
      );
    }
  }
}
