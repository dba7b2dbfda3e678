// The runtime calls on a request's path, each made in one crossing from wasm rather than one for
// every header and option, and each with its strings in one text (every string wasm hands over is
// decoded on its own). Headers cross as one "name\nvalue\n…" list (a header value never holds a
// line break); a header a list does not hold crosses as "\0" (no header value holds one). Lists of
// names are runtime strings made once per isolate, handed over by reference.

/** Sets the headers `fields` lists from index `from` on (name, value, …) on `headers` (a later one replaces an earlier one; `Vary` is appended). */
function applyList(headers, fields, from) {
  for (let i = from; i + 1 < fields.length; i += 2) {
    if (fields[i].toLowerCase() === 'vary') headers.append(fields[i], fields[i + 1]);
    else headers.set(fields[i], fields[i + 1]);
  }
  return headers;
}

/** Lists of header names, split once. */
const nameLists = new Map();

/** The values of the listed header names in `headers`, "\n"-joined ("\0": absent). */
function valuesOf(headers, names) {
  let list = nameLists.get(names);
  if (list === undefined) nameLists.set(names, (list = names.split('\n')));
  return list.map((name) => headers.get(name) ?? '\0').join('\n');
}

/** `fetch` of "method\nurl\nname\nvalue\n…" with `body` (or none) and `signal` (or none); a redirect is followed only with `follow`. */
export function send(head, body, signal, follow) {
  const fields = head.split('\n');
  const headers = applyList(new Headers(), fields, 2);
  return fetch(fields[1], { method: fields[0], headers, body, signal, redirect: follow ? 'follow' : 'manual' });
}

/** "method\nurl\nvalue\n…": the request's method, URL, and the value of each of the listed header names. */
export function requestHead(request, names) {
  return `${request.method}\n${request.url}\n${valuesOf(request.headers, names)}`;
}

/** "status\nvalue\n…": an answer's status and the value of each of the listed header names. */
export function answerHead(response, names) {
  return `${response.status}\n${valuesOf(response.headers, names)}`;
}

/**
 * Builds a response from "line\nname\nvalue\n…", after logging the line unless it is empty:
 * `body` (bytes, a stream, or null; none for a status that carries none) with `status` and the
 * listed headers, or, given a response (a static asset), a copy of it with the listed headers added
 * (a fetched response's own headers are immutable).
 */
export function respond(status, body, listed) {
  const fields = listed.split('\n');
  if (fields[0] !== '') console.log(fields[0]);
  if (body instanceof Response) {
    const copy = new Response(body.body, body);
    applyList(copy.headers, fields, 1);
    return copy;
  }
  // A status that carries no body (204, 205, 304) takes none: the constructor throws on any.
  const bodyless = status === 204 || status === 205 || status === 304;
  return new Response(bodyless ? null : body, { status, headers: applyList(new Headers(), fields, 1) });
}
