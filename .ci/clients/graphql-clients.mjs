// Client kit, run by .ci/run: real GraphQL clients on their defaults against a running server.
//
//   node graphql-clients.mjs http://127.0.0.1:PORT API_KEY
//
// urql (@urql/core with graphcache and its relayPagination) and Apollo Client side by side,
// each running queries, a mutation and pagination. The script lives beside the clients'
// node_modules (the CI block copies it there), so bare imports resolve to the pinned packages.
// The only configuration either client gets is the URL and the Authorization header: what
// urql sends by default (GET for queries with Accept: application/graphql-response+json,
// application/json, text/event-stream) must be answered with JSON. Exit 1 on any failure.
import { Client, fetchExchange, gql as urqlGql } from '@urql/core';
import { cacheExchange } from '@urql/exchange-graphcache';
import { relayPagination } from '@urql/exchange-graphcache/extras';
import { ApolloClient, HttpLink, InMemoryCache, gql } from '@apollo/client';
import { relayStylePagination } from '@apollo/client/utilities';

const [base, key] = process.argv.slice(2);
if (!base || !key) {
  console.error('usage: graphql-clients.mjs BASE_URL API_KEY');
  process.exit(2);
}
const url = base + '/graphql';
const auth = { Authorization: 'Bearer ' + key };

// Every request either client makes, as the server saw it and answered it.
const seen = [];
const recordingFetch = async (input, init = {}) => {
  const res = await fetch(input, init);
  const headers = new Headers(init.headers || {});
  seen.push({ client: recordingFetch.client, method: init.method || 'GET', accept: headers.get('accept') || '',
    status: res.status, type: res.headers.get('content-type') || '' });
  return res;
};

function check(cond, msg) {
  if (!cond) throw new Error(msg);
}
const unique = (ids) => new Set(ids).size === ids.length;

const pageQuery = `query Page($after: String) {
  contacts(first: 5, after: $after) { edges { cursor node { id fullName } } pageInfo { hasNextPage endCursor } }
}`;
const viewerQuery = '{ viewer { workspace { id name plan } } lists(first: 3) { nodes { id name contactCount } } }';
const createMutation = `mutation Create($input: CreateContactInput!) { createContact(input: $input) { id email fullName } }`;

async function runUrql() {
  recordingFetch.client = 'urql';
  const client = new Client({
    url,
    fetch: recordingFetch,
    fetchOptions: () => ({ headers: auth }),
    exchanges: [cacheExchange({
      keys: { PageInfo: () => null, ContactEdge: () => null, ContactConnection: () => null, ListConnection: () => null, Viewer: () => null },
      resolvers: { Query: { contacts: relayPagination() } },
    }), fetchExchange],
  });
  const viewer = await client.query(urqlGql(viewerQuery), {}).toPromise();
  check(!viewer.error, `urql query: ${viewer.error}`);
  check(viewer.data.viewer.workspace.name, 'urql query: no workspace');

  const first = await client.query(urqlGql(pageQuery), {}).toPromise();
  check(!first.error, `urql page 1: ${first.error}`);
  const cursor = first.data.contacts.pageInfo.endCursor;
  check(first.data.contacts.pageInfo.hasNextPage && cursor, 'urql page 1: no next page');
  const second = await client.query(urqlGql(pageQuery), { after: cursor }).toPromise();
  check(!second.error, `urql page 2: ${second.error}`);
  // relayPagination merges the pages in the cache: the second result holds both.
  const ids = second.data.contacts.edges.map((e) => e.node.id);
  check(ids.length === 10 && unique(ids), `urql relayPagination: ${ids.length} contacts after two pages of 5`);

  const email = `urql-${Date.now()}@example.com`;
  const created = await client.mutation(urqlGql(createMutation), { input: { email, firstName: 'Urql' } }).toPromise();
  check(!created.error, `urql mutation: ${created.error}`);
  check(created.data.createContact.email === email, 'urql mutation: wrong contact');
  console.log(`urql: workspace ${viewer.data.viewer.workspace.name}, ${ids.length} contacts over two pages, created ${created.data.createContact.id}`);
}

async function runApollo() {
  recordingFetch.client = 'apollo';
  const client = new ApolloClient({
    link: new HttpLink({ uri: url, headers: auth, fetch: recordingFetch }),
    cache: new InMemoryCache({ typePolicies: { Query: { fields: { contacts: relayStylePagination(['filter']) } } } }),
  });
  const viewer = await client.query({ query: gql(viewerQuery) });
  check(viewer.data.viewer.workspace.name, 'apollo query: no workspace');

  const first = await client.query({ query: gql(pageQuery), variables: {} });
  const cursor = first.data.contacts.pageInfo.endCursor;
  check(first.data.contacts.pageInfo.hasNextPage && cursor, 'apollo page 1: no next page');
  // relayStylePagination keeps one list per filter: the next page is merged into it.
  await client.query({ query: gql(pageQuery), variables: { after: cursor }, fetchPolicy: 'network-only' });
  const merged = client.readQuery({ query: gql(pageQuery), variables: {} });
  const ids = merged.contacts.edges.map((e) => e.node.id);
  check(ids.length === 10 && unique(ids), `apollo relayStylePagination: ${ids.length} contacts after two pages of 5`);

  const email = `apollo-${Date.now()}@example.com`;
  const created = await client.mutate({ mutation: gql(createMutation), variables: { input: { email, firstName: 'Apollo' } } });
  check(created.data.createContact.email === email, 'apollo mutation: wrong contact');
  console.log(`apollo: workspace ${viewer.data.viewer.workspace.name}, ${ids.length} contacts over two pages, created ${created.data.createContact.id}`);
}

try {
  await runUrql();
  await runApollo();
  for (const s of seen) {
    check(s.status === 200 && /^application\/(graphql-response\+)?json/.test(s.type),
      `${s.client} ${s.method} (Accept: ${s.accept}) answered ${s.status} ${s.type}`);
  }
  const urqlGet = seen.find((s) => s.client === 'urql' && s.method === 'GET');
  check(urqlGet && /text\/event-stream/.test(urqlGet.accept), 'urql did not send a GET query with its default Accept');
  console.log(`ok: ${seen.length} requests, all 200 JSON:`);
  for (const s of seen) console.log(`  ${s.client.padEnd(6)} ${s.method.padEnd(4)} Accept: ${s.accept} -> ${s.status} ${s.type}`);
} catch (e) {
  console.error('FAIL:', e.message);
  for (const s of seen) console.error(`  ${s.client} ${s.method} Accept: ${s.accept} -> ${s.status} ${s.type}`);
  process.exitCode = 1;
}
