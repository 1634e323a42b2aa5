/**
 * Which span, and which phase of an LLM call, dominated a trace's critical path: the critical
 * time summed per span and per phase, the dominant piece, and the line the trace page shows
 * ("Critical path: 71% in decode of llm.inference (mistral, autobot-ai-stack)"). Pure.
 */
import { isLlmSpan, llmInfo, llmPhaseTimeline } from './llm.js';
import {
  type CriticalSection,
  criticalPath,
  type PhaseInterval,
  type SpanNode,
  type TraceModel,
} from './model.js';

/** Short phase names for the summary line. */
export const PHASE_NAMES: Readonly<Record<string, string>> = {
  overhead: 'queue/network',
  load: 'model load',
  prefill: 'prefill',
  decode: 'decode',
  'first-chunk': 'time to first chunk',
  streaming: 'streaming',
};

/** Critical time of one phase of a span. µs; `fraction` is of the whole critical path. */
export interface PhaseShare {
  phase: string;
  durationUs: number;
  fraction: number;
}

/** Critical time of one span, with its phases (empty when it has none), largest first. */
export interface SpanShare {
  spanID: string;
  durationUs: number;
  fraction: number;
  phases: PhaseShare[];
}

/** The critical path summed per span. */
export interface CriticalShares {
  /** Sum of all critical sections, µs (the denominator of every fraction). */
  totalUs: number;
  /** Largest first; ties by span id, so the order is stable. */
  spans: SpanShare[];
}

/** The phases of a span for {@link criticalPath}: an LLM call's timeline, nothing for other spans. */
export function llmPhasesOf(node: SpanNode): readonly PhaseInterval[] {
  if (!isLlmSpan(node.name, node.tags)) return [];
  return llmPhaseTimeline(node.tags, node.logs, node.startTime, node.duration);
}

/** The critical path with LLM calls cut into their phases. */
export function criticalPathWithPhases(model: TraceModel): Map<string, CriticalSection[]> {
  return criticalPath(model, llmPhasesOf);
}

/** Sums the critical sections per span and per phase. */
export function criticalShares(critical: ReadonlyMap<string, readonly CriticalSection[]>): CriticalShares {
  let totalUs = 0;
  const perSpan: { spanID: string; durationUs: number; phases: Map<string, number> }[] = [];
  for (const [spanID, sections] of critical) {
    const phases = new Map<string, number>();
    let durationUs = 0;
    for (const s of sections) {
      const d = s.end - s.start;
      durationUs += d;
      if (s.phase !== undefined) phases.set(s.phase, (phases.get(s.phase) ?? 0) + d);
    }
    totalUs += durationUs;
    perSpan.push({ spanID, durationUs, phases });
  }
  const frac = (us: number) => (totalUs > 0 ? us / totalUs : 0);
  const spans = perSpan
    .map((p) => ({
      spanID: p.spanID,
      durationUs: p.durationUs,
      fraction: frac(p.durationUs),
      phases: [...p.phases]
        .map(([phase, us]) => ({ phase, durationUs: us, fraction: frac(us) }))
        .sort((a, b) => b.durationUs - a.durationUs || a.phase.localeCompare(b.phase)),
    }))
    .sort((a, b) => b.durationUs - a.durationUs || a.spanID.localeCompare(b.spanID));
  return { totalUs, spans };
}

/** What dominated the critical path: the span with the most critical time and its largest phase. */
export interface CriticalDominant {
  spanID: string;
  /** The dominant phase of that span; absent when the span has no phases on the path. */
  phase?: string;
  /** Fraction of the critical path in that phase (or in the span, without a phase). */
  fraction: number;
  /** Fraction of the critical path in the span as a whole. */
  spanFraction: number;
  /** The summary line. */
  text: string;
}

/**
 * The dominant piece of the critical path, or undefined for an empty trace. The span is chosen
 * first (an LLM call's phases together outweigh a single other span), then its largest phase.
 */
export function criticalDominant(
  model: TraceModel,
  critical: ReadonlyMap<string, readonly CriticalSection[]>,
): CriticalDominant | undefined {
  const top = criticalShares(critical).spans[0];
  const node = top ? model.byId.get(top.spanID) : undefined;
  if (!top || !node || top.durationUs <= 0) return undefined;
  const phase = top.phases[0];
  const fraction = phase?.fraction ?? top.fraction;
  const where = phase ? `${PHASE_NAMES[phase.phase] ?? phase.phase} of ${node.name}` : node.name;
  const whole =
    phase && percent(top.fraction) !== percent(fraction) ? ` — the whole call ${percent(top.fraction)}` : '';
  return {
    spanID: top.spanID,
    ...(phase ? { phase: phase.phase } : {}),
    fraction,
    spanFraction: top.fraction,
    text: `Critical path: ${percent(fraction)} in ${where} (${spanContext(node)})${whole}`,
  };
}

function percent(fraction: number): string {
  return `${Math.round(fraction * 100)}%`;
}

/** "model, service" for an LLM call, the service otherwise. */
function spanContext(node: SpanNode): string {
  const model = isLlmSpan(node.name, node.tags)
    ? llmInfo(node.tags, node.logs, node.startTime).model
    : undefined;
  return model ? `${model}, ${node.service}` : node.service;
}
