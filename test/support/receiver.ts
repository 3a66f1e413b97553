/** A small incoming-webhook receiver for tests (Slack's shape): what it was sent, and the answers to give. */
export const HOOKS = "hooks.test";

export class WebhookReceiver {
  readonly received: { url: string; body: unknown; contentType: string | null }[] = [];
  /** Answers to give, in order; then 200 `ok`, as Slack answers. */
  readonly answers: { status: number; headers?: Record<string, string> }[] = [];

  handles(url: string): boolean {
    return new URL(url).hostname === HOOKS;
  }

  async fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    const req = new Request(input, init);
    this.received.push({ url: req.url, body: await req.json(), contentType: req.headers.get("content-type") });
    const answer = this.answers.shift() ?? { status: 200 };
    return new Response(answer.status === 200 ? "ok" : "no", { status: answer.status, headers: answer.headers });
  }
}
