"""psycopg2 against the Strata server (run by psycopg2.test.ts).

Usage: python3 psycopg2_client.py PORT
Prints one JSON object describing what psycopg2 saw; the test compares it.
"""
import datetime
import decimal
import io
import json
import sys

import psycopg2
import psycopg2.extras

port = int(sys.argv[1])
out = {}

conn = psycopg2.connect(host="127.0.0.1", port=port, user="strata", dbname="strata", connect_timeout=10)
out["server_version"] = conn.server_version
cur = conn.cursor()

# execute with parameters (psycopg2 interpolates client side, then sends a simple Query)
cur.execute(
    "CREATE TABLE metrics (id int PRIMARY KEY, time timestamptz NOT NULL, host text, value float8, price numeric(10,3), ok bool, note text)"
)
cur.execute(
    "INSERT INTO metrics VALUES (%s, %s, %s, %s, %s, %s, %s)",
    (1, datetime.datetime(2024, 3, 1, 12, 30, 15, 250000, tzinfo=datetime.timezone.utc), "host_1", 1.5, decimal.Decimal("12.345"), True, None),
)
out["rowcount_insert"] = cur.rowcount

# executemany
rows = [
    (i, datetime.datetime(2024, 3, 1, 12, 0, tzinfo=datetime.timezone.utc) + datetime.timedelta(minutes=i), "host_%d" % (i % 3), i * 0.25, decimal.Decimal(i) / 8, i % 2 == 0, "n%d" % i)
    for i in range(2, 102)
]
cur.executemany("INSERT INTO metrics VALUES (%s, %s, %s, %s, %s, %s, %s)", rows)
conn.commit()

cur.execute("SELECT count(*), sum(id) FROM metrics")
out["count_after_executemany"] = list(cur.fetchone())

# fetch types
cur.execute("SELECT id, value, price, time, ok, host, note, 2::int8 * 10 FROM metrics WHERE id = %s", (1,))
r = cur.fetchone()
out["types"] = [type(v).__name__ for v in r]
out["values"] = [r[0], r[1], str(r[2]), r[3].isoformat(), r[4], r[5], r[6], r[7]]
out["description"] = [(d.name, d.type_code) for d in cur.description]

# fetchmany / fetchall / dict cursor
cur.execute("SELECT id FROM metrics ORDER BY id")
out["fetchmany"] = [x[0] for x in cur.fetchmany(3)]
out["fetchall_len"] = len(cur.fetchall())
dcur = conn.cursor(cursor_factory=psycopg2.extras.RealDictCursor)
dcur.execute("SELECT host, count(*) AS n FROM metrics GROUP BY host ORDER BY host")
out["dict_rows"] = [dict(x) for x in dcur.fetchall()]

# COPY FROM STDIN (CSV) and COPY TO STDOUT
csv = io.StringIO("".join("%d,2024-03-02 00:00:%02d+00,copy_host,%d.5,%d.125,t,\"quoted, text\"\n" % (i, i % 60, i, i) for i in range(1000, 1500)))
cur.copy_expert("COPY metrics FROM STDIN WITH (FORMAT csv)", csv)
out["copy_in_rowcount"] = cur.rowcount
conn.commit()
buf = io.StringIO()
cur.copy_expert("COPY (SELECT id, host, note FROM metrics WHERE id BETWEEN 1000 AND 1002 ORDER BY id) TO STDOUT WITH (FORMAT csv, HEADER)", buf)
out["copy_out"] = buf.getvalue()

# errors carry pgcode; the transaction must be rolled back afterwards
errors = {}
for label, q in [
    ("undefined_table", "SELECT * FROM nope"),
    ("unique", "INSERT INTO metrics VALUES (1, now(), 'x', 0, 0, true, null)"),
    ("division", "SELECT 1/0"),
    ("syntax", "SELEC 1"),
]:
    try:
        cur.execute(q)
        errors[label] = None
    except psycopg2.Error as e:
        errors[label] = [e.pgcode, e.diag.message_primary]
        conn.rollback()
out["errors"] = errors

# in-transaction error: further statements fail with 25P02 until rollback
try:
    cur.execute("SELECT 1/0")
except psycopg2.Error:
    pass
try:
    cur.execute("SELECT 1")
    out["aborted"] = None
except psycopg2.Error as e:
    out["aborted"] = e.pgcode
conn.rollback()
cur.execute("SELECT 42")
out["after_rollback"] = cur.fetchone()[0]

# autocommit and server-side settings
conn.commit()
conn.autocommit = True
cur.execute("SET TIME ZONE 'Europe/Berlin'")
cur.execute("SELECT '2024-01-01 12:00:00+00'::timestamptz")
out["berlin"] = cur.fetchone()[0].isoformat()
conn.close()

print(json.dumps(out))
