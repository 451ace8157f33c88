// The peer of bench/reads.sh and bench/calls.py: three endpoints of cit-api written the way a
// city team might otherwise write them, in Node.js with Fastify and pg. Same database, same
// tokens (HS256 with the service's secret) and API keys (their SHA-256 looked up), same checks
// a request must pass (a live session of an active user, or a key not revoked, read on every
// request), same statements for the reads; the batch is one upsert of the calls as sent.
//
// Env: DATABASE_URL, PORT, JWT_SECRET, POOL_SIZE (default 4).
'use strict';

const fastify = require('fastify')({ logger: false });
const { Pool } = require('pg');
const { createVerifier } = require('fast-jwt');
const { createHash } = require('node:crypto');

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

// The records management system's batch: the key checked, each call's required fields, then
// one INSERT ... SELECT FROM jsonb_to_recordset ... ON CONFLICT DO UPDATE of the calls whose
// content changed (a digest of the item as sent). What cit-api does besides (responders matched
// to the roster and their CIT status on the day, subjects, follow-ups, per-day counts, the
// audit row, a per-item report) it leaves out.
fastify.post('/api/v1/calls/batch', { bodyLimit: 16 * 1024 * 1024 }, async (request, reply) => {
  const header = request.headers.authorization || '';
  if (!header.startsWith('Bearer citk_')) return problem(reply, 401, 'Unauthorized');
  const { rows: keys } = await pool.query({
    name: 'key',
    text: 'SELECT roles::text[] AS roles FROM api_keys WHERE digest = $1 AND revoked_at IS NULL',
    values: [createHash('sha256').update(header.slice(7)).digest()],
  });
  if (keys.length === 0) return problem(reply, 401, 'Unauthorized');
  if (!may(keys[0], ['admin', 'integration'])) return problem(reply, 403, 'Forbidden');
  const calls = request.body && request.body.calls;
  if (!Array.isArray(calls) || calls.length === 0 || calls.length > 5000) {
    return problem(reply, 422, 'Unprocessable Content');
  }
  const good = [];
  calls.forEach((call, index) => {
    if (call && typeof call.incident_number === 'string' && typeof call.received_at === 'string'
        && typeof call.mental_health === 'boolean') {
      good.push({ ...call, digest: createHash('sha256').update(JSON.stringify(call)).digest('hex'),
                  location: undefined, ...(call.location || {}), subject: undefined });
    }
  });
  const { rows } = await pool.query({
    name: 'upsert',
    text: `INSERT INTO calls (id, source, incident_number, received_at, received_on, call_type, call_source,
                              address, beat, district, mental_health, crisis_types, responders, dispositions,
                              force_level, subject_injured, officer_injured, content_digest, created_at, updated_at)
           SELECT gen_random_uuid(), coalesce(c.source, 'rms'), c.incident_number, c.received_at,
                  (c.received_at AT TIME ZONE 'America/Chicago')::date, c.call_type, c.call_source::call_source,
                  c.address, c.beat, c.district, c.mental_health,
                  ARRAY(SELECT jsonb_array_elements_text(coalesce(c.crisis_types, '[]')))::crisis_type[],
                  coalesce(c.responders, '[]'),
                  ARRAY(SELECT jsonb_array_elements_text(coalesce(c.dispositions, '[]')))::disposition[],
                  c.force_level::force_level, c.subject_injured, c.officer_injured,
                  decode(c.digest, 'hex'), now(), now()
             FROM jsonb_to_recordset($1::jsonb) AS c(source text, incident_number text, received_at timestamptz,
                  call_type text, call_source text, address text, beat text, district text, mental_health boolean,
                  crisis_types jsonb, responders jsonb, dispositions jsonb, force_level text,
                  subject_injured boolean, officer_injured boolean, digest text)
            ORDER BY 2, 3
           ON CONFLICT (source, incident_number) DO UPDATE
              SET received_at = EXCLUDED.received_at, received_on = EXCLUDED.received_on,
                  call_type = EXCLUDED.call_type, call_source = EXCLUDED.call_source, address = EXCLUDED.address,
                  beat = EXCLUDED.beat, district = EXCLUDED.district, mental_health = EXCLUDED.mental_health,
                  crisis_types = EXCLUDED.crisis_types, responders = EXCLUDED.responders,
                  dispositions = EXCLUDED.dispositions, force_level = EXCLUDED.force_level,
                  subject_injured = EXCLUDED.subject_injured, officer_injured = EXCLUDED.officer_injured,
                  content_digest = EXCLUDED.content_digest, version = calls.version + 1, updated_at = now()
            WHERE calls.content_digest IS DISTINCT FROM EXCLUDED.content_digest
           RETURNING (xmax = 0) AS created`,
    values: [JSON.stringify(good)],
  });
  const created = rows.filter((row) => row.created).length;
  return { created, updated: rows.length - created, unchanged: good.length - rows.length,
           rejected: calls.length - good.length };
});

fastify.listen({ host: '127.0.0.1', port: Number(process.env.PORT) }).catch((error) => {
  console.error(error);
  process.exit(1);
});
