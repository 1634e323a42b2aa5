/** Name of the span this worker makes per page load (`{domain}.{operation}`). */
export const SPAN_BROWSER_NAVIGATE = 'browser.navigate';

/** Attribute keys of the `browser.navigate` span. */
export const ATTR_BROWSER_ENGINE = 'browser.engine';
export const ATTR_BROWSER_FALLBACK_REASON = 'browser.fallback_reason';
export const ATTR_BROWSER_TITLE_LENGTH = 'browser.title_length';
export const ATTR_BROWSER_DURATION_MS = 'browser.duration_ms';
