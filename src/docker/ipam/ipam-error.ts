/** Errors of the default IPAM driver (libnetwork ipamapi/contract.go), texts from the profile. */
import { DaemonError } from '../daemon-error';
import type { DaemonErrorKind } from '../daemon-error';
import type { EngineErrors } from '../engine-profile';

export type IpamErrorCode =
  | 'poolOverlap'
  | 'defaultPoolsExhausted'
  | 'noAvailableAddresses'
  | 'addressOutOfRange'
  | 'addressInUse'
  | 'invalidPool'
  | 'invalidSubPool'
  | 'badPool';

/** ipamapi's error classes (types.ForbiddenErrorf, BadRequestErrorf, …). */
const KIND: Readonly<Record<IpamErrorCode, DaemonErrorKind>> = {
  poolOverlap: 'forbidden',
  defaultPoolsExhausted: 'notFound',
  noAvailableAddresses: 'unavailable',
  addressOutOfRange: 'invalidParameter',
  addressInUse: 'forbidden',
  invalidPool: 'invalidParameter',
  invalidSubPool: 'invalidParameter',
  badPool: 'invalidParameter',
};

export class IpamError extends DaemonError {
  readonly code: IpamErrorCode;

  constructor(code: IpamErrorCode, errors: EngineErrors, detail?: string) {
    super(KIND[code], IpamError.#message(code, errors, detail));
    this.code = code;
  }

  static #message(code: IpamErrorCode, e: EngineErrors, detail: string | undefined): string {
    switch (code) {
      case 'poolOverlap': return e.poolOverlap();
      case 'defaultPoolsExhausted': return e.defaultPoolsExhausted();
      case 'noAvailableAddresses': return e.noAvailableAddresses();
      case 'addressOutOfRange': return e.addressOutOfRange();
      case 'addressInUse': return e.addressInUse();
      case 'invalidPool': return e.invalidPool();
      case 'invalidSubPool': return e.invalidSubPool();
      // ipamapi.ErrBadPool: "address space does not contain specified address pool".
      case 'badPool': return detail ?? 'address space does not contain specified address pool';
    }
  }
}
