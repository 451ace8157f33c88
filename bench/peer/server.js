// The peer of bench/reads.sh: the two reads of cit-api written the way a city team might
// otherwise write them, in Node.js with Fastify and pg. Same database, same tokens (HS256 with
// the service's secret), same checks a request must pass (a live session of an active user,
// read on every request), same statements for the answer.
//
// Env: DATABASE_URL, PORT, JWT_SECRET, POOL_SIZE (default 4).
'use strict';

const fastify = require('fastify')({ logger: false });
const { Pool } = require('pg');
const { createVerifier } = require('fast-jwt');

const pool = new Pool({
  connectionString: process.env.DATABASE_URL,
  max: Number(process.env.POOL_SIZE || 4),
});
const verify = createVerifier({
  key: process.env.JWT_SECRET,
  algorithms: ['HS256'],
  allowedIss: 'cit-api',
  allowedAud: 'cit-api',
});

const problem = (reply, status, title) =>
  reply.code(status).type('application/problem+json').send({ status, title });

// The caller: the token verified, then its user and whether its session is live.
async function caller(request) {
  const header = request.headers.authorization || '';
  if (!header.startsWith('Bearer ')) return null;
  let claims;
  try {
    claims = verify(header.slice(7));
  } catch {
    return null;
  }
  const { rows } = await pool.query({
    name: 'caller',
    text: `SELECT u.id, u.roles::text[] AS roles FROM users u
            WHERE u.id = $1 AND NOT u.disabled AND u.locked_at IS NULL
              AND EXISTS (SELECT 1 FROM refresh_tokens t
                           WHERE t.family_id = $2 AND t.user_id = u.id
                             AND t.revoked_at IS NULL AND t.family_expires_at > now())`,
    values: [claims.sub, claims.sid],
  });
  return rows[0] || null;
}

const may = (user, roles) => user.roles.some((role) => roles.includes(role));

fastify.get('/api/v1/personnel/:id', async (request, reply) => {
  const user = await caller(request);
  if (!user) return problem(reply, 401, 'Unauthorized');
  if (!may(user, ['admin', 'coordinator', 'supervisor'])) return problem(reply, 403, 'Forbidden');
  const { rows } = await pool.query({
    name: 'personnel',
    text: `SELECT p.*, cit_certified_on(p.id, (now() AT TIME ZONE 'America/Chicago')::date, 'America/Chicago') AS cit_certified,
                  (SELECT coalesce(jsonb_agg(c ORDER BY c.id DESC), '[]') FROM certifications c WHERE c.personnel_id = p.id) AS certifications,
                  (SELECT coalesce(jsonb_agg(e ORDER BY e.id DESC), '[]') FROM enrollments e WHERE e.personnel_id = p.id) AS enrollments
             FROM personnel p WHERE p.id = $1`,
    values: [request.params.id],
  });
  if (rows.length === 0) return problem(reply, 404, 'Not Found');
  const { certifications, enrollments, ...person } = rows[0];
  return { person, certifications, enrollments };
});

fastify.get('/api/v1/calls', async (request, reply) => {
  const user = await caller(request);
  if (!user) return problem(reply, 401, 'Unauthorized');
  if (!may(user, ['admin', 'coordinator', 'supervisor', 'clinician'])) return problem(reply, 403, 'Forbidden');
  const limit = Math.min(Number(request.query.limit || 50), 500);
  const { rows } = await pool.query({
    name: 'calls',
    text: 'SELECT * FROM calls WHERE mental_health = $1 ORDER BY id DESC LIMIT $2',
    values: [request.query.mental_health !== 'false', limit + 1],
  });
  const items = rows.slice(0, limit);
  return { items, next_cursor: rows.length > limit ? items[items.length - 1].id : null };
});

fastify.listen({ host: '127.0.0.1', port: Number(process.env.PORT) }).catch((error) => {
  console.error(error);
  process.exit(1);
});
