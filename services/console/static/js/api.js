// Calls to the services through the console's gateway (/api/<service>/<path>); the session cookie carries the token.

export class Problem extends Error {
  constructor(status, body) {
    super(body?.detail || body?.title || `HTTP ${status}`);
    this.status = status;
    this.body = body;
    this.errors = body?.errors ?? [];
  }
}

async function read(response) {
  const type = response.headers.get("content-type") || "";
  if (response.status === 204) return null;
  return type.includes("json") ? response.json() : response.text();
}

export async function call(path, { method = "GET", body, headers = {}, raw = false } = {}) {
  const init = { method, headers: { Accept: "application/json", ...headers }, credentials: "same-origin" };
  if (method !== "GET") init.headers["X-Saphan-Console"] = "1";
  if (body !== undefined && !(body instanceof FormData)) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  } else if (body !== undefined) {
    init.body = body;
  }
  const response = await fetch(path, init);
  if (raw) return response;
  const data = await read(response);
  if (!response.ok) {
    if (response.status === 401) window.dispatchEvent(new CustomEvent("saphan:signed-out"));
    throw new Problem(response.status, data);
  }
  return { data, etag: response.headers.get("etag"), status: response.status };
}

export const api = (service, path, options) => call(`/api/${service}${path}`, options);

// Follow a server-sent events stream; call `onData` with each snapshot. Returns a function that stops it.
export function follow(service, path, event, onData, onState = () => {}) {
  const source = new EventSource(`/api/${service}${path}`);
  source.addEventListener(event, (message) => onData(JSON.parse(message.data)));
  source.onopen = () => onState("live");
  source.onerror = () => onState(source.readyState === EventSource.CLOSED ? "closed" : "reconnecting");
  return () => source.close();
}
