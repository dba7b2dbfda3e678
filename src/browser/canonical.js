// The canonical request `validateRequest` answers, made from one text: one crossing and one
// decoded string, where a JSON text would escape the body's own JSON only to be parsed back.

/** `{method, path, query, body?}` from "method\npath\nquery" and, when there is one, "\nbody". */
export function canonicalRequest(text) {
  const afterMethod = text.indexOf('\n');
  const afterPath = text.indexOf('\n', afterMethod + 1);
  const afterQuery = text.indexOf('\n', afterPath + 1);
  const request = {
    method: text.slice(0, afterMethod),
    path: text.slice(afterMethod + 1, afterPath),
    query: afterQuery < 0 ? text.slice(afterPath + 1) : text.slice(afterPath + 1, afterQuery),
  };
  if (afterQuery >= 0) request.body = text.slice(afterQuery + 1);
  return request;
}
