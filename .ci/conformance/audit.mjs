// Audits a GraphQL-over-HTTP endpoint with graphql-http's suite, sending an API key on every
// request. Usage: node audit.mjs URL KEY [--strict] (run through .ci/conformance/run.sh)
// Exit 1 on any MUST failure; with --strict also on any SHOULD warning or MAY notice.
import { auditServer } from 'graphql-http';

const args = process.argv.slice(2);
const strict = args.includes('--strict');
const [url = 'http://127.0.0.1:8080/graphql', key] = args.filter((a) => a !== '--strict');
const fetchFn = (input, init = {}) => {
  const headers = new Headers(init.headers || {});
  if (key) headers.set('Authorization', `Bearer ${key}`);
  return fetch(input, { ...init, headers });
};
let results;
try {
  results = await auditServer({ url, fetchFn });
} catch (err) {
  console.error(`fatal: ${url}: ${err.cause?.code ?? err.message}`);
  process.exit(2);
}
const by = { ok: [], notice: [], warn: [], error: [] };
for (const r of results) by[r.status].push(r);
for (const r of [...by.error, ...by.warn, ...by.notice]) {
  console.log(`${r.status.toUpperCase().padEnd(6)} ${r.id} ${r.name}\n       ${r.reason}` +
    (r.response ? ` (HTTP ${r.response.status})` : ''));
}
console.log(`graphql-http audit: ${by.ok.length}/${results.length} ok, ${by.error.length} MUST failed, ` +
  `${by.warn.length} SHOULD warned, ${by.notice.length} MAY noticed`);
process.exit(by.error.length || (strict && (by.warn.length || by.notice.length)) ? 1 : 0);
