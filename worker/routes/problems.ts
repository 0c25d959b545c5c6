/** GET /problems/<code>: the page each problem document's `type` points at (title, status, what to do); GET /problems lists them. */
import type { Context } from 'hono';
import { problemKind, problemKinds, type ProblemKind } from '../http/problem-catalogue.js';
import { notFound } from '../http/problem.js';

/** The pages never change between deployments of one version: let browsers and the edge keep them a day. */
const CACHE = 'public, max-age=86400';

/** One code's page; a string that is no code gets the ordinary 404 problem. */
export function problemPage(c: Context): Response {
  const kind = problemKind(c.req.param('code') ?? '');
  if (!kind) return notFound(c);
  const body = `<h1>${escape(kind.title)}</h1>
<dl>
  <dt>code</dt><dd><code>${kind.code}</code></dd>
  <dt>HTTP status</dt><dd>${kind.status}</dd>
</dl>
<h2>What to do</h2>
<p>${escape(kind.advice)}</p>
<p>The response's <code>detail</code> says what exactly went wrong with your request.</p>`;
  return html(`${kind.code}: ${kind.title}`, body);
}

/** The list of every code with its status, linking each page. */
export function problemIndex(): Response {
  const rows = problemKinds().map(row).join('\n');
  const body = `<h1>Problem types</h1>
<p>Every error from the stegavox API is an <code>application/problem+json</code> document (RFC 9457) whose
<code>type</code> links one of these pages and whose <code>code</code> is stable for programs.</p>
<table>
<thead><tr><th>code</th><th>status</th><th>title</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>`;
  return html('Problem types', body);
}

function row(kind: ProblemKind): string {
  return `<tr><td><a href="/problems/${kind.code}"><code>${kind.code}</code></a></td><td>${kind.status}</td><td>${escape(kind.title)}</td></tr>`;
}

function html(title: string, body: string): Response {
  const page = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)} · stegavox API</title>
<link rel="stylesheet" href="/palette.css">
<link rel="stylesheet" href="/docs.css">
</head>
<body class="reference">
<main>
${body}
<p class="links"><a href="/problems">All problem types</a> · <a href="/docs">API reference</a> · <a href="/">Stegavox</a></p>
</main>
</body>
</html>
`;
  return new Response(page, { headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': CACHE } });
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
