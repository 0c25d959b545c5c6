/** Problem `type` URIs resolve: each is a page on the worker saying what the code means and what to do. */
import { describe, expect, it } from 'vitest';
import { PROBLEM_CODES, problemKind } from '../../worker/http/problem-catalogue.js';
import { call, multipart, ORIGIN, problem } from './helpers.js';

describe('problem pages', () => {
  it('the type of a real error response is a page on this worker, with the code, status and advice', async () => {
    const body = await problem(await call(multipart('/api/embed', {})));
    expect(body.type).toBe(`${ORIGIN}/problems/bad_request`);
    const page = await call(new Request(body.type));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await page.text();
    expect(html).toContain('<code>bad_request</code>');
    expect(html).toContain('<dd>400</dd>');
    expect(html).toContain('What to do');
  });

  it('takes the origin the request came to (custom domains, workers.dev, localhost alike)', async () => {
    const body = await problem(await call(new Request('https://voice.example.com/api/capacity')));
    expect(body.type).toBe('https://voice.example.com/problems/bad_request');
  });

  it.each(PROBLEM_CODES)('/problems/%s is a page with its title and status', async (code) => {
    const kind = problemKind(code)!;
    const html = await (await call(`/problems/${code}`)).text();
    expect(html).toContain(`<code>${code}</code>`);
    expect(html).toContain(`<dd>${kind.status}</dd>`);
    expect(kind.advice.length).toBeGreaterThan(20);
  });

  it('lists every code on /problems, and an unknown code is a 404 problem', async () => {
    const index = await (await call('/problems')).text();
    for (const code of PROBLEM_CODES) expect(index).toContain(`href="/problems/${code}"`);
    const missing = await call('/problems/nope');
    expect(missing.status).toBe(404);
    expect(await problem(missing)).toMatchObject({ code: 'not_found' });
    expect((await call(new Request(`${ORIGIN}/problems/too_long`, { method: 'POST' }))).status).toBe(405);
  });

  it('covers the codes the worker raises beyond StegError: not_found, rate_limited, internal', () => {
    expect(problemKind('rate_limited')).toMatchObject({ status: 429 });
    expect(problemKind('internal')).toMatchObject({ status: 500 });
    expect(problemKind('not_found')).toMatchObject({ status: 404 });
    expect(problemKind('toString')).toBeUndefined();
  });
});
