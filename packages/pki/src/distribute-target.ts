import { recordError } from '@autobot/tracing';
import type { Span } from '@opentelemetry/api';
import type { Delivery } from './delivery-plan.js';
import { SshDistributionError } from './errors.js';
import {
  ATTR_PKI_FILES,
  ATTR_PKI_OPERATION,
  ATTR_SSH_ERROR_TYPE,
  ATTR_SSH_FILES_COPIED,
  ATTR_SSH_TARGET_IP,
  ATTR_SSH_TARGET_VM,
  ATTR_SSH_USER,
  PKI_OPERATION_DISTRIBUTE,
  SPAN_SSH_DISTRIBUTE_CERTIFICATES,
} from './semconv.js';
import type { SshAuth } from './ssh-auth.js';
import { safeMessage } from './ssh-session.js';
import { type ConnectSettings, type PushProgress, pushFiles } from './ssh-upload.js';
import { type TargetResult, targetIdentity } from './target-result.js';
import type { VmTarget } from './topology.js';
import { pkiTracer, safely } from './tracer.js';

/**
 * Delivers one VM's files inside an `ssh.distribute_certificates` span. Never rejects: a failure
 * becomes a `failed` result with its `ssh.error_type`, recorded on the span.
 */
export async function distributeToVm(
  vm: VmTarget,
  delivery: Delivery | undefined,
  auth: SshAuth,
  settings: ConnectSettings,
): Promise<TargetResult> {
  const started = performance.now();
  return pkiTracer().startActiveSpan(
    SPAN_SSH_DISTRIBUTE_CERTIFICATES,
    {
      attributes: {
        [ATTR_SSH_TARGET_VM]: vm.name,
        [ATTR_SSH_TARGET_IP]: vm.address,
        [ATTR_SSH_USER]: vm.user,
        [ATTR_SSH_FILES_COPIED]: 0,
        [ATTR_PKI_OPERATION]: PKI_OPERATION_DISTRIBUTE,
        ...(delivery?.files ? { [ATTR_PKI_FILES]: delivery.files.map((file) => file.name) } : {}),
      },
    },
    async (span: Span): Promise<TargetResult> => {
      const progress: PushProgress = { filesCopied: 0, checksums: {}, reloaded: false };
      try {
        if (delivery?.error) throw delivery.error;
        if (auth.error) throw auth.error;
        await pushFiles(vm, delivery?.files ?? [], auth, settings, progress);
        return {
          ...targetIdentity(vm),
          ok: true,
          status: 'ok',
          ...progress,
          durationMs: performance.now() - started,
        };
      } catch (error) {
        const classified = classify(error);
        safely(() => span.setAttribute(ATTR_SSH_ERROR_TYPE, classified.errorType));
        recordError(span, classified);
        return {
          ...targetIdentity(vm),
          ok: false,
          status: 'failed',
          ...progress,
          errorType: classified.errorType,
          message: classified.message,
          durationMs: performance.now() - started,
        };
      } finally {
        safely(() => {
          span.setAttribute(ATTR_SSH_FILES_COPIED, progress.filesCopied);
          span.end();
        });
      }
    },
  );
}

/** The result of a dry run for one VM: `planned`, or `failed` when its files are missing. */
export function plannedResult(vm: VmTarget, delivery: Delivery | undefined): TargetResult {
  const error = delivery?.error;
  return {
    ...targetIdentity(vm),
    ok: !error,
    status: error ? 'failed' : 'planned',
    filesCopied: 0,
    ...(error ? { errorType: error.errorType, message: error.message } : {}),
    checksums: {},
    reloaded: false,
    durationMs: 0,
  };
}

function classify(error: unknown): SshDistributionError {
  if (error instanceof SshDistributionError) return error;
  return new SshDistributionError('ssh_error', `unexpected failure: ${safeMessage(error)}`, { cause: error });
}
