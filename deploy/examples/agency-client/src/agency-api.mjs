// The agency's side of dunning-service's HTTP API (scope `agency`): read a handed-over case,
// report a status, report money collected. Every report carries an Idempotency-Key, so a retry
// after a timeout or a redelivered event never records anything twice.

export class ApiError extends Error {
  constructor(status, problem, url) {
    super(`${status} from ${url}: ${problem?.detail ?? problem?.title ?? "no detail"}`);
    this.status = status;
    this.problem = problem;
  }
}

const RETRYABLE = new Set([408, 425, 429, 500, 502, 503, 504]);

export class AgencyApi {
  /**
   * @param {{baseUrl: string, apiKey: string, retries?: number, backoffMs?: number,
   *          timeoutMs?: number, fetchImpl?: typeof fetch}} options
   */
  constructor({ baseUrl, apiKey, retries = 5, backoffMs = 200, timeoutMs = 10000, fetchImpl = fetch }) {
    if (!baseUrl || !apiKey) throw new Error("the agency API needs a base URL and an API key");
    this.baseUrl = baseUrl.replace(/\/+$/, "");
    this.apiKey = apiKey;
    this.retries = retries;
    this.backoffMs = backoffMs;
    this.timeoutMs = timeoutMs;
    this.fetch = fetchImpl;
  }

  caseUrl(debtorRef, suffix = "") {
    return `${this.baseUrl}/v1/agency/cases/${encodeURIComponent(debtorRef)}${suffix}`;
  }

  /** The handed-over case: items with open amounts, history, the agency's earlier reports. */
  async caseFile(debtorRef) {
    return (await this.#call("GET", this.caseUrl(debtorRef))).body;
  }

  /** @param {{status: string, note?: string}} report */
  async reportStatus(debtorRef, report, idempotencyKey) {
    return this.#call("POST", this.caseUrl(debtorRef, "/status"), report, idempotencyKey);
  }

  /**
   * @param {{amount: string, currency: string, received_on: string, invoice_number?: string,
   *          reference?: string}} payment  amounts as decimal strings, never floats
   */
  async reportPayment(debtorRef, payment, idempotencyKey) {
    return this.#call("POST", this.caseUrl(debtorRef, "/payments"), payment, idempotencyKey);
  }

  async #call(method, url, body = undefined, idempotencyKey = undefined) {
    const headers = { authorization: `Bearer ${this.apiKey}`, accept: "application/json" };
    if (body !== undefined) headers["content-type"] = "application/json";
    if (idempotencyKey) headers["idempotency-key"] = idempotencyKey;
    for (let attempt = 0; ; attempt++) {
      let response;
      try {
        response = await this.fetch(url, {
          method,
          headers,
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(this.timeoutMs),
        });
      } catch (error) {
        // Network error or timeout: the request may or may not have arrived. Retrying is safe
        // for GET and for reports with an Idempotency-Key.
        if (attempt < this.retries && (method === "GET" || idempotencyKey)) {
          await sleep(this.backoffMs * 2 ** attempt);
          continue;
        }
        throw error;
      }
      const text = await response.text();
      const parsed = text ? safeJson(text) : undefined;
      if (response.ok) return { status: response.status, replayed: response.status === 200 && method === "POST", body: parsed };
      if (RETRYABLE.has(response.status) && attempt < this.retries && (method === "GET" || idempotencyKey)) {
        await sleep(this.backoffMs * 2 ** attempt);
        continue;
      }
      throw new ApiError(response.status, parsed, url);
    }
  }
}

function safeJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return { detail: text.slice(0, 500) };
  }
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
