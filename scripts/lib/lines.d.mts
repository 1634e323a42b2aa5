/// <reference types="node" />
/** Types of `lines.mjs` (see there). */
export declare function onLines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void;
