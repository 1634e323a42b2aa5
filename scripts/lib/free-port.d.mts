/** Types of `free-port.mjs` (see there). */
export declare function freePort(host?: string): Promise<number>;
export declare function probePort(port: number, host?: string): Promise<string | null>;
