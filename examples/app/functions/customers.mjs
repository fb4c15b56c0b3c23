// GET/POST /customers and GET /customers/{id}: SQL on the Aurora PostgreSQL cluster through a `pg` Pool
// created at module scope, so a warm execution environment reuses its connections (at most POOL_SIZE each).
// The credentials come from Secrets Manager at cold start, as on AWS: the secret named by DB_SECRET_ARN holds
// username and password, and (through the SecretTargetAttachment) host, port and dbname.
import pg from 'pg';
import { SecretsManagerClient, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';

const secrets = new SecretsManagerClient({});
const pool = secrets.send(new GetSecretValueCommand({ SecretId: process.env.DB_SECRET_ARN })).then(({ SecretString }) => {
  const secret = JSON.parse(SecretString);
  return new pg.Pool({
    host: secret.host,
    port: secret.port,
    database: secret.dbname,
    user: secret.username,
    password: secret.password,
    max: Number(process.env.POOL_SIZE ?? 2),
    application_name: 'customers-function',
  });
});

const json = (statusCode, body) => ({ statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

export async function handler(event) {
  const db = await pool;
  const id = event.pathParameters?.id;
  if (event.httpMethod === 'POST') {
    let input;
    try {
      input = JSON.parse(event.body ?? '');
    } catch {
      return json(400, { message: 'body must be JSON' });
    }
    if (typeof input?.name !== 'string' || typeof input?.email !== 'string' || typeof input?.city !== 'string') {
      return json(400, { message: 'name, email and city are required strings' });
    }
    try {
      const { rows } = await db.query('INSERT INTO customers (name, email, city) VALUES ($1, $2, $3) RETURNING id, name, email, city', [input.name, input.email, input.city]);
      return json(201, rows[0]);
    } catch (error) {
      if (error.code === '23505') return json(409, { message: `a customer with email ${input.email} exists` });
      throw error;
    }
  }
  if (id !== undefined) {
    if (!/^\d+$/.test(id)) return json(404, { message: `no customer ${id}` });
    const { rows } = await db.query('SELECT id, name, email, city FROM customers WHERE id = $1', [Number(id)]);
    return rows.length === 0 ? json(404, { message: `no customer ${id}` }) : json(200, rows[0]);
  }
  const { rows } = await db.query('SELECT id, name, email, city FROM customers ORDER BY id');
  return json(200, rows);
}
