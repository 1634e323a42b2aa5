/** Types of `free-port.mjs` (see there). */
export declare function freePort(host?: string): Promise<number>;
