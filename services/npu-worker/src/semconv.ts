/** Name of the span this worker makes per embedding request (`{domain}.{operation}`). */
export const SPAN_NPU_INFERENCE = 'npu.inference';

/** Attribute keys of the `npu.inference` span. */
export const ATTR_NPU_MODEL = 'npu.model';
export const ATTR_NPU_DEVICE = 'npu.device';
export const ATTR_NPU_INPUT_COUNT = 'npu.input_count';
export const ATTR_NPU_INPUT_CHARS = 'npu.input_chars';
export const ATTR_NPU_INPUT_TOKENS = 'npu.input_tokens';
export const ATTR_NPU_VECTOR_DIMENSIONS = 'npu.vector_dimensions';
export const ATTR_NPU_DURATION_MS = 'npu.duration_ms';
