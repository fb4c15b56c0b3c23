-- Run once by gatehouse (Metadata Gatehouse.Migrations of ShopDb), as the master user, in the shop database.
CREATE TABLE customers (
  id         serial PRIMARY KEY,
  name       text NOT NULL,
  email      text NOT NULL UNIQUE,
  city       text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO customers (name, email, city) VALUES
  ('Ada Lovelace', 'ada@example.com', 'London'),
  ('Grace Hopper', 'grace@example.com', 'New York');
