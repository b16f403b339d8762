// The API as the pages use it: the key from sessionStorage in X-API-Key on
// every request, and every error the API returns put into words.

const keyName = "backtestd.apiKey";

export function storedKey(): string | null {
  return sessionStorage.getItem(keyName);
}
export function storeKey(key: string): void {
  sessionStorage.setItem(keyName, key);
}
export function forgetKey(): void {
  sessionStorage.removeItem(keyName);
}

/** An error of the API: its status, its words, and its details by field. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details: { field?: string; row?: number; reason: string }[] = [],
  ) {
    super(message);
  }
  /** The message with every detail, as a person reads it. */
  words(): string {
    const parts = this.details.map(
      (d) => (d.field ? `${d.field}: ` : "") + (d.row ? `row ${d.row}: ` : "") + d.reason,
    );
    return parts.length ? `${this.message} (${parts.join("; ")})` : this.message;
  }
}

/** The error an answer carries, in words even when its body is not JSON. */
export function errorOf(status: number, body: string): ApiError {
  try {
    const doc = JSON.parse(body) as { error?: { message?: string; details?: ApiError["details"] } };
    if (doc.error?.message) return new ApiError(status, doc.error.message, doc.error.details ?? []);
  } catch {
    // not JSON: fall through to the status's own words
  }
  const words: Record<number, string> = {
    401: "the API key is missing, unknown or revoked",
    403: "your role may not do this",
    404: "not found",
    413: "the file is too large",
    429: "too many requests: wait a moment and retry",
    503: "the server is busy or unavailable: retry shortly",
  };
  return new ApiError(status, words[status] ?? `the server answered ${status}`);
}

export async function request<T>(method: string, path: string, body?: BodyInit, type?: string): Promise<T> {
  const headers: Record<string, string> = {};
  const key = storedKey();
  if (key) headers["X-API-Key"] = key;
  if (type) headers["Content-Type"] = type;
  let response: Response;
  try {
    response = await fetch(path, { method, headers, body });
  } catch {
    throw new ApiError(0, "the server cannot be reached");
  }
  const text = await response.text();
  if (!response.ok) throw errorOf(response.status, text);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** An upload with its progress (fetch reports none): resolves with the report. */
export function upload<T>(path: string, file: Blob, onProgress: (fraction: number) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", path);
    const key = storedKey();
    if (key) xhr.setRequestHeader("X-API-Key", key);
    xhr.setRequestHeader("Content-Type", "text/csv");
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1);
        resolve(JSON.parse(xhr.responseText) as T);
      } else reject(errorOf(xhr.status, xhr.responseText));
    };
    xhr.onerror = () => reject(new ApiError(0, "the upload was interrupted"));
    xhr.send(file);
  });
}

/** Fetches `path` with the key and saves it as `filename` (a link cannot send the key). */
export async function download(path: string, filename: string): Promise<void> {
  const headers: Record<string, string> = {};
  const key = storedKey();
  if (key) headers["X-API-Key"] = key;
  let response: Response;
  try {
    response = await fetch(path, { headers });
  } catch {
    throw new ApiError(0, "the server cannot be reached");
  }
  if (!response.ok) throw errorOf(response.status, await response.text());
  const url = URL.createObjectURL(await response.blob());
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Follows a resource's pushed events over its WebSocket (the key as the
 *  bt-key. subprotocol: browsers cannot set headers on a WebSocket) until
 *  the server closes it. Returns a function that closes it early. */
export function follow(path: string, onEvent: (event: Record<string, unknown>) => void, onClose: (clean: boolean) => void): () => void {
  const ws = new WebSocket(`${location.origin.replace(/^http/, "ws")}${path}`, [`bt-key.${storedKey()}`]);
  ws.onmessage = (e) => {
    try {
      onEvent(JSON.parse(String(e.data)) as Record<string, unknown>);
    } catch {
      // not JSON: not an event
    }
  };
  ws.onclose = (e) => onClose(e.code === 1000);
  return () => ws.close();
}

/** A text answer (the Prometheus scrape), with the key. */
export async function requestText(path: string): Promise<string> {
  const key = storedKey();
  let response: Response;
  try {
    response = await fetch(path, { headers: key ? { "X-API-Key": key } : {} });
  } catch {
    throw new ApiError(0, "the server cannot be reached");
  }
  const text = await response.text();
  if (!response.ok) throw errorOf(response.status, text);
  return text;
}
