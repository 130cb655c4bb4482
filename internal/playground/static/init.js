// Starts GraphiQL against this server's /graphql. Loaded as a file (not inline) so the page
// works under Content-Security-Policy: default-src 'self'.
//
// Every /graphql request needs the API key, introspection included. GraphiQL fetches the
// schema when it mounts, before its headers editor exists, and never again by itself; so the
// fetcher below always merges the latest headers the user typed (or GraphiQL saved in
// localStorage), and a change of the Authorization header re-renders GraphiQL with a new
// fetcher, which makes it fetch the schema again.
(function () {
  'use strict';

  var meta = document.querySelector('meta[name="graphql-endpoint"]');
  var path = (meta && meta.content) || '/graphql';
  var endpoint = location.origin + path;
  var wsEndpoint = (location.protocol === 'https:' ? 'wss:' : 'ws:') + '//' + location.host + path;
  // ASCII only: browsers refuse to send a header value outside ISO-8859-1.
  var defaultHeaders = '{\n  "Authorization": "Bearer "\n}';

  function parseHeaders(text) {
    try {
      var h = JSON.parse(text || '{}');
      return h && typeof h === 'object' && !Array.isArray(h) ? h : {};
    } catch (e) {
      return null; // half-typed JSON: keep the last good headers
    }
  }

  function storedHeaders() {
    try {
      return window.localStorage.getItem('graphiql:headers');
    } catch (e) {
      return null;
    }
  }

  var current = parseHeaders(storedHeaders() || defaultHeaders) || {};

  function hasKey(h) {
    return typeof h.Authorization === 'string' && /^Bearer\s+\S+/.test(h.Authorization);
  }

  // operationKind reads from the document text the kind ('query', 'mutation',
  // 'subscription') of the operation a request runs, or null when it cannot tell. GraphiQL's
  // fetcher picks the websocket for a subscription by the editor's parsed document, which
  // lags the text by a debounce: a subscription run right after it was typed would be POSTed
  // as a query. Only the top level (brace depth 0) of the text, without strings and
  // comments, names operations.
  function operationKind(query, operationName) {
    var text = String(query || '').replace(/"""[\s\S]*?"""|"(?:[^"\\\n]|\\.)*"|#[^\n]*/g, ' ');
    var re = /[{}()]|[_A-Za-z][_0-9A-Za-z]*/g;
    var ops = [];
    var depth = 0;
    var pending = null;
    var prev = null;
    var m;
    while ((m = re.exec(text))) {
      var t = m[0];
      if (t === '{' || t === '(') {
        if (t === '{' && depth === 0) {
          ops.push(pending || { kind: 'query', name: null });
          pending = null;
        }
        depth++;
      } else if (t === '}' || t === ')') {
        depth = Math.max(0, depth - 1);
      } else if (depth === 0) {
        if (!pending && /^(query|mutation|subscription|fragment)$/.test(t)) {
          pending = { kind: t, name: null };
        } else if (pending && prev === pending.kind && pending.name === null) {
          pending.name = t;
        }
      }
      prev = t;
    }
    ops = ops.filter(function (op) { return op.kind !== 'fragment'; });
    var op = operationName ? ops.filter(function (o) { return o.name === operationName; })[0] : (ops.length === 1 ? ops[0] : null);
    return op ? op.kind : null;
  }

  // documentFor is the smallest document that tells GraphiQL's fetcher the operation's kind.
  function documentFor(kind, operationName) {
    return { kind: 'Document', definitions: [{ kind: 'OperationDefinition', operation: kind,
      name: operationName ? { kind: 'Name', value: operationName } : undefined,
      selectionSet: { kind: 'SelectionSet', selections: [] } }] };
  }

  function makeFetcher() {
    // Subscriptions go over the websocket (graphql-transport-ws); the fetcher passes the
    // request's headers, the key among them, as the connection_init payload.
    var base = GraphiQL.createFetcher({ url: endpoint, subscriptionUrl: wsEndpoint });
    return function (params, opts) {
      var headers = Object.assign({}, current, (opts && opts.headers) || {});
      if (!hasKey(headers) && params && params.operationName === 'IntrospectionQuery') {
        // Without a key the server can only answer 401: say what to do instead.
        return Promise.resolve({ errors: [{ message: 'Put your API key after "Bearer " in the Headers tab ' +
          '(bottom left); the schema loads as soon as it is there.' }] });
      }
      var own = { headers: headers };
      var kind = params && operationKind(params.query, params.operationName);
      if (kind) {
        own.documentAST = documentFor(kind, params.operationName);
      }
      return base(params, Object.assign({}, opts, own));
    };
  }

  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  var fetcher = makeFetcher();
  var refetchTimer = null;

  function onEditHeaders(text) {
    var parsed = parseHeaders(text);
    if (parsed === null) {
      return;
    }
    var keyChanged = parsed.Authorization !== current.Authorization;
    current = parsed;
    if (!keyChanged || !hasKey(parsed)) {
      return;
    }
    clearTimeout(refetchTimer);
    refetchTimer = setTimeout(function () {
      fetcher = makeFetcher();
      render();
    }, 300);
  }

  var plugins = [];
  if (window.GraphiQLPluginExplorer) {
    plugins.push(GraphiQLPluginExplorer.explorerPlugin());
  }

  function render() {
    root.render(React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultHeaders: defaultHeaders,
      isHeadersEditorEnabled: true,
      defaultEditorToolsVisibility: 'headers',
      shouldPersistHeaders: true,
      onEditHeaders: onEditHeaders,
      plugins: plugins,
      defaultQuery: '# Put your API key after "Bearer " in the Headers tab below, then run:\n' +
        '{\n  viewer { workspace { name plan } }\n  contacts(first: 5) { nodes { fullName company } }\n}\n',
      inputValueDeprecation: true
    }));
  }

  render();
})();
