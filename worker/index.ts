/** The stegavox Worker: wires the API routes and middleware; the page under / is served from worker/public. */
import { Hono } from 'hono';
import { withConfig, type AppContext } from './config.js';
import { requireToken } from './http/auth.js';
import { apiCors } from './http/cors.js';
import { methodNotAllowed, notFound, onError } from './http/problem.js';
import { capacity } from './routes/capacity.js';
import { embed } from './routes/embed.js';
import { health } from './routes/health.js';
import { reveal } from './routes/reveal.js';

const app = new Hono<AppContext>();

app.onError(onError);
app.notFound(notFound);
app.use('/api/*', withConfig(), apiCors());

app.post('/api/embed', requireToken(), embed);
app.post('/api/reveal', requireToken(), reveal);
app.get('/api/capacity', capacity);
app.get('/api/health', health);

app.all('/api/embed', methodNotAllowed(['POST']));
app.all('/api/reveal', methodNotAllowed(['POST']));
app.all('/api/capacity', methodNotAllowed(['GET']));
app.all('/api/health', methodNotAllowed(['GET']));

export default app;
