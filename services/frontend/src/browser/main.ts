import { type PageConfig, startPageTracing } from './tracing.js';

/** One line of the backend's NDJSON chat answer. */
type ChatLine =
  | {
      type: 'meta';
      conversationId: string;
      traceId?: string;
      embedding: { model: string; dimensions: number };
      page?: { url: string; title?: string; engine?: string; error?: { message: string } };
    }
  | { type: 'chunk'; content: string }
  | { type: 'done'; model?: string; usage?: { promptTokens: number; completionTokens: number } }
  | { type: 'error'; code: string; message: string; service?: string };

/**
 * A failed chat answer, shown in its turn as `code: message`. `code` is the backend's
 * (`AUTOBOT_ERR_*`, from the error body or an `error` line), or `HTTP <status>` when the answer
 * carried none. Thrown and caught inside {@link readAnswer} only; the turn keeps the code in
 * `data-error-code`.
 */
class AnswerError extends Error {
  constructor(
    readonly code: string,
    detail: string,
  ) {
    super(`${code}: ${detail}`);
    this.name = 'AnswerError';
  }
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

async function main(): Promise<void> {
  const config = (await (await fetch('/config.json')).json()) as PageConfig;
  const tracing = startPageTracing(config);
  $('backend').textContent = config.backendUrl;
  $<HTMLAnchorElement>('viewer').href = config.viewerUrl;
  let conversationId: string | undefined;
  const form = $<HTMLFormElement>('chat-form');
  const input = $<HTMLInputElement>('message');
  const button = $<HTMLButtonElement>('send');

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const message = input.value.trim();
    if (message === '') return;
    button.disabled = true;
    const answer = addTurn(message);
    // fetch is called synchronously inside the listener, so the submit span (user-interaction)
    // is its parent and the traceparent it sends makes that span the root of the trace.
    const response = fetch(`${config.backendUrl}/api/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ message, conversationId }),
    });
    void readAnswer(response, answer, config)
      .then((id) => {
        if (id) conversationId = id;
      })
      .finally(() => {
        button.disabled = false;
        input.value = '';
        input.focus();
        void tracing.flush();
      });
  });
  document.body.dataset.ready = 'true';
}

function addTurn(message: string): { text: HTMLElement; info: HTMLElement; turn: HTMLElement } {
  const turn = document.createElement('div');
  turn.className = 'turn';
  const question = document.createElement('p');
  question.className = 'user';
  question.textContent = message;
  const text = document.createElement('p');
  text.className = 'answer';
  const info = document.createElement('p');
  info.className = 'info';
  turn.append(question, text, info);
  $('log').append(turn);
  return { text, info, turn };
}

async function readAnswer(
  pending: Promise<Response>,
  view: { text: HTMLElement; info: HTMLElement; turn: HTMLElement },
  config: PageConfig,
): Promise<string | undefined> {
  let conversationId: string | undefined;
  let traceId: string | undefined;
  const notes: string[] = [];
  try {
    const response = await pending;
    traceId = traceIdFromHeader(response.headers.get('traceresponse'));
    if (!response.ok || !response.body) {
      const body = (await response.json().catch(() => ({}))) as {
        error?: { code?: string; message?: string };
        traceId?: string;
      };
      traceId = body.traceId ?? traceId;
      throw new AnswerError(
        body.error?.code ?? `HTTP ${response.status}`,
        body.error?.message ?? response.statusText,
      );
    }
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let newline = buffer.indexOf('\n');
      while (newline !== -1) {
        const line = buffer.slice(0, newline).trim();
        buffer = buffer.slice(newline + 1);
        newline = buffer.indexOf('\n');
        if (line === '') continue;
        const item = JSON.parse(line) as ChatLine;
        if (item.type === 'meta') {
          conversationId = item.conversationId;
          traceId = item.traceId ?? traceId;
          notes.push(`embedding ${item.embedding.dimensions}-d (${item.embedding.model})`);
          if (item.page)
            notes.push(
              item.page.title
                ? `page "${item.page.title}" via ${item.page.engine}`
                : `page failed: ${item.page.error?.message}`,
            );
        } else if (item.type === 'chunk') {
          view.text.textContent += item.content;
        } else if (item.type === 'done') {
          if (item.usage) notes.push(`${item.usage.promptTokens}+${item.usage.completionTokens} tokens`);
          view.turn.dataset.done = 'true';
        } else if (item.type === 'error') {
          throw new AnswerError(item.code, item.message);
        }
      }
    }
  } catch (error) {
    view.turn.dataset.error = 'true';
    if (error instanceof AnswerError) view.turn.dataset.errorCode = error.code;
    const failure = document.createElement('span');
    failure.className = 'error';
    failure.textContent = (error as Error).message;
    view.text.append(failure);
  }
  view.info.textContent = notes.join(' · ');
  if (traceId) {
    const link = document.createElement('a');
    link.href = `${config.viewerUrl}/trace/${traceId}`;
    link.target = '_blank';
    link.rel = 'noopener';
    link.className = 'trace-link';
    link.dataset.traceId = traceId;
    link.textContent = 'view trace';
    view.info.append(notes.length ? ' · ' : '', link);
  }
  view.turn.dataset.finished = 'true';
  return conversationId;
}

function traceIdFromHeader(header: string | null): string | undefined {
  return header?.split('-')[1];
}

void main().catch((error: unknown) => {
  $('log').textContent = `The page could not start: ${(error as Error).message}`;
});
