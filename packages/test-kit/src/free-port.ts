// freePort lives in scripts/lib/free-port.mjs: the launcher scripts need it before anything is built.
export { freePort } from '../../../scripts/lib/free-port.mjs';
