// Apollo Client 4 against the CRM GraphQL API: the key on every request, Relay-style
// pagination merged in the cache, automatic persisted queries, subscriptions over
// graphql-ws with the key in connectionParams, and one error path keyed by extensions.code.
//
//   npm install @apollo/client graphql graphql-ws rxjs
//
// Every rejection (401, 403, 413, 429, 400 …) comes back in the GraphQL error shape with the
// negotiated media type, so Apollo reports all of them as CombinedGraphQLErrors.
import {
  ApolloClient,
  ApolloLink,
  CombinedGraphQLErrors,
  HttpLink,
  InMemoryCache,
  gql,
} from "@apollo/client";
import { PersistedQueryLink } from "@apollo/client/link/persisted-queries";
import { GraphQLWsLink } from "@apollo/client/link/subscriptions";
import { relayStylePagination } from "@apollo/client/utilities";
import { OperationTypeNode } from "graphql";
import { createClient } from "graphql-ws";

const API = "http://localhost:8080/graphql";
const KEY = "wbk_..."; // a workspace API key; keep it out of source control

const http = new HttpLink({
  uri: API,
  headers: { Authorization: `Bearer ${KEY}` },
});

// APQ: the first request sends only the query's SHA-256; the server answers
// PERSISTED_QUERY_NOT_FOUND once and the link retries with the text. useGETForHashedQueries
// makes repeated queries cacheable GETs.
const persisted = new PersistedQueryLink({
  sha256: async (query: string) => {
    const bytes = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(query));
    return [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");
  },
  useGETForHashedQueries: true,
});

// Subscriptions: graphql-transport-ws on the same URL; the key goes in connection_init.
const ws = new GraphQLWsLink(
  createClient({
    url: API.replace(/^http/, "ws"),
    connectionParams: { Authorization: `Bearer ${KEY}` },
  }),
);

const link = ApolloLink.split(
  ({ operationType }) => operationType === OperationTypeNode.SUBSCRIPTION,
  ws,
  persisted.concat(http),
);

export const client = new ApolloClient({
  link,
  cache: new InMemoryCache({
    typePolicies: {
      Query: {
        fields: {
          // Every connection has edges { cursor node }, pageInfo and totalCount; filters are
          // part of the cache key, cursors are not.
          contacts: relayStylePagination(["filter", "orderBy"]),
          lists: relayStylePagination(["filter"]),
          deals: relayStylePagination(["filter"]),
          prospects: relayStylePagination(["filter"]),
        },
      },
    },
  }),
});

export const CONTACTS = gql`
  query Contacts($first: Int!, $after: String) {
    contacts(first: $first, after: $after) {
      totalCount
      edges { cursor node { id fullName email company } }
      pageInfo { hasNextPage endCursor }
    }
  }
`;

export const TASK_UPDATED = gql`
  subscription TaskUpdated {
    lexiTaskUpdated { id status title result }
  }
`;

// Two pages, merged by relayStylePagination into one list in the cache.
export async function firstTwoPages() {
  const first = await client.query({ query: CONTACTS, variables: { first: 20 } });
  const page = (first.data as any)?.contacts?.pageInfo;
  if (page?.hasNextPage) {
    await client.query({ query: CONTACTS, variables: { first: 20, after: page.endCursor } });
  }
}

// One error path: the code is always in extensions.code.
export async function loadContacts() {
  try {
    return await client.query({ query: CONTACTS, variables: { first: 20 } });
  } catch (error) {
    if (CombinedGraphQLErrors.is(error)) {
      for (const e of error.errors) {
        switch (e.extensions?.code) {
          case "UNAUTHENTICATED": // 401: extensions.reason MISSING_KEY / INVALID_KEY / REVOKED_KEY / EXPIRED_KEY
          case "FORBIDDEN": // 403: extensions.missing lists the permissions
          case "RATE_LIMITED": // 429: extensions.retryAfter seconds
          case "QUERY_TOO_COMPLEX": // 400: extensions.cost, maxCost
          default:
            console.error(e.extensions?.code, e.message, "request", e.extensions?.requestId);
        }
      }
    }
    throw error;
  }
}

export function watchTasks() {
  return client.subscribe({ query: TASK_UPDATED }).subscribe({
    next: ({ data }) => console.log("task", data),
    error: (err) => console.error(err),
  });
}
