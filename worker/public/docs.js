// Renders the worker's OpenAPI document (/openapi.json) as the API reference: operations, fields, responses, schemas.

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

/** An element with attributes and children (strings become text nodes, so nothing from the document is parsed as HTML). */
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  for (const child of children.flat()) if (child !== undefined && child !== null) node.append(child);
  return node;
}

/** Text with `backtick` spans as <code>: the only markup the document's descriptions use. */
function inline(text = '') {
  return String(text)
    .split('`')
    .map((part, i) => (i % 2 ? el('code', {}, part) : part));
}

/** Follows a local $ref ("#/components/schemas/X") within the document. */
function resolve(doc, value) {
  if (!value || typeof value.$ref !== 'string') return value;
  return value.$ref
    .slice(2)
    .split('/')
    .reduce((node, key) => node?.[key.replace(/~1/g, '/').replace(/~0/g, '~')], doc);
}

/** A short type label for a schema: "string (standard | high)", "integer 1–65535", "Problem"... */
function typeOf(doc, schema) {
  if (!schema) return '';
  if (schema.$ref) return schema.$ref.split('/').pop();
  if (schema.allOf) return schema.allOf.map((part) => typeOf(doc, part)).join(' & ');
  const parts = [schema.type ?? (schema.const !== undefined ? JSON.stringify(schema.const) : 'any')];
  if (schema.enum) parts.push(`(${schema.enum.join(' | ')})`);
  if (schema.minimum !== undefined && schema.maximum !== undefined) parts.push(`${schema.minimum}–${schema.maximum}`);
  else if (schema.minimum !== undefined) parts.push(`≥ ${schema.minimum}`);
  else if (schema.maximum !== undefined) parts.push(`≤ ${schema.maximum}`);
  if (schema.contentMediaType && schema.contentMediaType !== 'application/octet-stream')
    parts.push(`(${schema.contentMediaType})`);
  if (schema.default !== undefined) parts.push(`default ${schema.default}`);
  return parts.join(' ');
}

/** A table of fields: form fields, query parameters or headers. */
function fieldTable(rows) {
  if (rows.length === 0) return null;
  return el(
    'table',
    {},
    el('thead', {}, el('tr', {}, el('th', {}, 'name'), el('th', {}, 'type'), el('th', {}, 'description'))),
    el(
      'tbody',
      {},
      rows.map(([name, type, required, description]) =>
        el(
          'tr',
          {},
          el('td', {}, el('code', {}, name), required ? '' : el('span', { class: 'muted' }, ' optional')),
          el('td', {}, type),
          el('td', {}, inline(description)),
        ),
      ),
    ),
  );
}

function requestSection(doc, operation) {
  const out = [];
  const params = (operation.parameters ?? []).map((p) => [
    `${p.name} (${p.in})`,
    typeOf(doc, p.schema),
    p.required,
    p.description ?? '',
  ]);
  if (params.length) out.push(el('h3', {}, 'Parameters'), fieldTable(params));
  for (const [mediaType, media] of Object.entries(operation.requestBody?.content ?? {})) {
    const schema = resolve(doc, media.schema);
    const required = new Set(schema.required ?? []);
    const rows = Object.entries(schema.properties ?? {}).map(([name, field]) => [
      name,
      typeOf(doc, field),
      required.has(name),
      field.description ?? '',
    ]);
    out.push(el('h3', {}, 'Request body ', el('code', {}, mediaType)), fieldTable(rows));
  }
  if (operation.security?.some((s) => Object.keys(s).length > 0))
    out.push(el('p', { class: 'muted' }, inline(doc.components.securitySchemes.bearerToken.description)));
  return out;
}

function responseSection(doc, operation) {
  const rows = Object.entries(operation.responses).map(([status, response]) => {
    const content = Object.entries(response.content ?? {}).map(([mediaType, media]) => {
      const codes = media.schema?.allOf?.[1]?.properties?.code?.enum;
      return el(
        'div',
        {},
        el('code', {}, mediaType),
        ' ',
        codes
          ? codes.flatMap((code, i) => [i ? ', ' : '', el('a', { href: `/problems/${code}` }, el('code', {}, code))])
          : typeOf(doc, media.schema),
      );
    });
    const headers = Object.entries(response.headers ?? {}).map(([name, h]) =>
      el(
        'div',
        {},
        el('code', {}, name),
        ': ',
        typeOf(doc, h.schema),
        h.required ? '' : el('span', { class: 'muted' }, ' (optional)'),
      ),
    );
    return el(
      'tr',
      {},
      el('td', { class: Number(status) >= 400 ? 'status-error' : '' }, status),
      el('td', {}, inline(response.description), content),
      el('td', {}, headers),
    );
  });
  return [
    el('h3', {}, 'Responses'),
    el(
      'table',
      {},
      el('thead', {}, el('tr', {}, el('th', {}, 'status'), el('th', {}, 'body'), el('th', {}, 'headers'))),
      el('tbody', {}, rows),
    ),
  ];
}

function render(doc) {
  document.getElementById('intro').replaceChildren(...inline(doc.info.description));
  const toc = [];
  const operations = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation) continue;
      const id = operation.operationId;
      toc.push(
        el('li', {}, el('a', { href: `#${id}` }, `${method.toUpperCase()} ${path}`), ' — ', inline(operation.summary)),
      );
      operations.push(
        el(
          'section',
          { class: 'operation', id },
          el('h2', {}, el('span', { class: `method ${method}` }, method), ' ', el('code', {}, path)),
          el('p', {}, inline(operation.summary)),
          operation.description ? el('p', { class: 'muted' }, inline(operation.description)) : null,
          requestSection(doc, operation),
          responseSection(doc, operation),
        ),
      );
    }
  }
  document.getElementById('toc').replaceChildren(el('ul', {}, toc));
  document.getElementById('operations').replaceChildren(...operations);
  document.getElementById('schema-list').replaceChildren(
    ...Object.entries(doc.components.schemas)
      .map(([name, schema]) => [
        el('h3', { id: `schema-${name}` }, name),
        el('pre', { class: 'schema' }, JSON.stringify(schema, null, 2)),
      ])
      .flat(),
  );
}

async function main() {
  const target = document.getElementById('operations');
  try {
    const response = await fetch('/openapi.json');
    if (!response.ok) throw new Error(`/openapi.json answered ${response.status}`);
    render(await response.json());
  } catch (error) {
    target.replaceChildren(el('p', { class: 'status-error' }, `Could not load the API description: ${error.message}`));
  }
}

main();
