// @peculiar/x509 needs a Reflect metadata polyfill loaded before it (tsyringe checks at import):
// every module of this package imports x509 from here, never from '@peculiar/x509' directly.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

// @peculiar/x509 signs through WebCrypto; Node's own implementation is the provider.
x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export { x509 };
