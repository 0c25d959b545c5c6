/** The stegavox Worker: wires the API routes and middleware; the pages under / are served from worker/public. */
import { Hono } from 'hono';
import { withConfig, type AppContext } from './config.js';
import { requireToken } from './http/auth.js';
import { apiCors } from './http/cors.js';
import { methodNotAllowed, notFound, onError } from './http/problem.js';
import { rateLimit } from './http/rate-limit.js';
import { capacity } from './routes/capacity.js';
import { embed } from './routes/embed.js';
import { health } from './routes/health.js';
import { openapi } from './routes/openapi.js';
import { problemIndex, problemPage } from './routes/problems.js';
import { reveal } from './routes/reveal.js';

const app = new Hono<AppContext>();

app.onError(onError);
app.notFound(notFound);
app.use('/api/*', withConfig(), apiCors());

// The limit comes before the token check, so guessing tokens is limited too.
app.post('/api/embed', rateLimit(), requireToken(), embed);
app.post('/api/reveal', rateLimit(), requireToken(), reveal);
app.get('/api/capacity', capacity);
app.get('/api/health', health);
app.get('/openapi.json', openapi);
app.get('/problems', problemIndex);
app.get('/problems/:code', problemPage);

app.all('/api/embed', methodNotAllowed(['POST']));
app.all('/api/reveal', methodNotAllowed(['POST']));
app.all('/api/capacity', methodNotAllowed(['GET']));
app.all('/api/health', methodNotAllowed(['GET']));
app.all('/openapi.json', methodNotAllowed(['GET']));
app.all('/problems', methodNotAllowed(['GET']));
app.all('/problems/:code', methodNotAllowed(['GET']));

export default app;
