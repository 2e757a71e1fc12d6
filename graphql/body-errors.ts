import type { ErrorRequestHandler } from 'express';

/** the largest GraphQL request body (a query with its variables), as JSON */
export const MAX_GRAPHQL_BODY = '2mb';

/**
 * The JSON body parser's refusals in GraphQL's format (Express would answer with an HTML page): a body over
 * MAX_GRAPHQL_BODY is 413 PAYLOAD_TOO_LARGE, one that is not JSON 400 BAD_REQUEST, any other it cannot read
 * (charset, encoding) its 4xx with BAD_REQUEST.
 */
export const graphqlBodyErrors: ErrorRequestHandler = (error, _req, res, next) => {
  const type = (error as { type?: unknown }).type;
  const answer = (status: number, code: string, message: string) =>
    res.status(status).json({ errors: [{ message, extensions: { code } }] });
  const status = (error as { status?: unknown }).status;
  if (type === 'entity.too.large') {
    answer(413, 'PAYLOAD_TOO_LARGE', `The request body is larger than ${MAX_GRAPHQL_BODY}`);
  } else if (type === 'entity.parse.failed') {
    answer(400, 'BAD_REQUEST', 'The request body is not valid JSON');
  } else if (typeof type === 'string' && typeof status === 'number' && status >= 400 && status < 500) {
    // an unsupported charset or encoding, an aborted or mis-sized body: said without echoing the request
    answer(status, 'BAD_REQUEST', `The request body could not be read (${type})`);
  } else {
    next(error);
  }
};
