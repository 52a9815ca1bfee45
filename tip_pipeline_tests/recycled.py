"""A PostgreSQL test database used again by the next test, when the test changed nothing but
rows (conftest.py, ``migrated_postgres_url``).

Why: a fresh copy of the migrated template costs a ``CREATE DATABASE`` (about 10 MB through
the WAL, mostly PostgreSQL's own catalogues) and a ``DROP DATABASE``: 0.3 s on a quiet
machine, well over a second on a busy one, for each of some forty PostgreSQL tests of the unit
tier. Emptying the tables a test wrote costs a few hundredths of a second.

A copy is used again only if, once its sessions are ended, its catalogue is the template's:
the same schemas, tables, columns, constraints, indexes, views, functions, triggers, types,
owners, privileges (default ones included), database settings and Alembic revision. The tables
holding rows are then truncated (``TRUNCATE``: new, empty files, as in a fresh copy). Any
other difference, or any error on the way, and the copy is dropped as before.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.pool import NullPool

from tip_pipeline.warehouse.engine import make_engine, run_autocommit

#: the schemas of the warehouse (and ``public``): every one but PostgreSQL's own
_OWN = "{n}.nspname NOT LIKE 'pg\\_%' AND {n}.nspname <> 'information_schema'"

#: one text naming every object of the database's own schemas with its definition, owner and
#: privileges, and the database's settings and Alembic revision; ordered, so that two databases
#: with the same catalogue give the same text whatever their objects' OIDs
CATALOGUE = text(
    f"""
SELECT string_agg(line, E'\\n' ORDER BY line) FROM (
    SELECT format('schema %s %s %s', n.nspname, n.nspowner::regrole, n.nspacl) AS line
    FROM pg_namespace n WHERE {_OWN.format(n="n")}
  UNION ALL
    SELECT format('relation %s %s %s %s %s', c.oid::regclass, c.relkind, c.relowner::regrole,
                  c.relacl, c.reloptions)
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE {_OWN.format(n="n")}
  UNION ALL
    SELECT format('column %s %s %s %s %s %s', a.attrelid::regclass, a.attnum, a.attname,
                  format_type(a.atttypid, a.atttypmod), a.attnotnull,
                  pg_get_expr(d.adbin, d.adrelid))
    FROM pg_attribute a
    JOIN pg_class c ON c.oid = a.attrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    WHERE a.attnum > 0 AND NOT a.attisdropped AND {_OWN.format(n="n")}
  UNION ALL
    SELECT format('constraint %s %s %s', co.conrelid::regclass, co.conname,
                  pg_get_constraintdef(co.oid))
    FROM pg_constraint co JOIN pg_namespace n ON n.oid = co.connamespace
    WHERE {_OWN.format(n="n")}
  UNION ALL
    SELECT format('index %s', pg_get_indexdef(i.indexrelid))
    FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace WHERE {_OWN.format(n="n")}
  UNION ALL
    SELECT format('view %s %s', c.oid::regclass, pg_get_viewdef(c.oid))
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('v', 'm') AND {_OWN.format(n="n")}
  UNION ALL
    SELECT format('function %s %s %s %s', p.oid::regprocedure, p.proowner::regrole, p.proacl,
                  md5(p.prosrc))
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE {_OWN.format(n="n")}
  UNION ALL
    SELECT format('trigger %s', pg_get_triggerdef(t.oid))
    FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE NOT t.tgisinternal AND {_OWN.format(n="n")}
  UNION ALL
    SELECT format('type %s %s %s', t.oid::regtype, t.typtype, t.typowner::regrole)
    FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE {_OWN.format(n="n")}
  UNION ALL
    SELECT format('default privileges %s %s %s %s', a.defaclrole::regrole,
                  a.defaclnamespace::regnamespace, a.defaclobjtype, a.defaclacl)
    FROM pg_default_acl a
  UNION ALL
    SELECT format('extension %s %s', e.extname, e.extversion) FROM pg_extension e
  UNION ALL
    SELECT format('database %s %s', d.datdba::regrole, d.datacl)
    FROM pg_database d WHERE d.datname = current_database()
  UNION ALL
    SELECT format('settings %s %s', s.setrole, s.setconfig)
    FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase
    WHERE d.datname = current_database()
  UNION ALL
    SELECT format('revision %s', version_num) FROM ops.alembic_version
) AS catalogue
"""
)

#: the tables holding rows (or dead ones), Alembic's apart
_WRITTEN = text(
    f"""
SELECT format('%s', c.oid::regclass)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND {_OWN.format(n="n")} AND pg_relation_size(c.oid) > 0
  AND c.oid <> 'ops.alembic_version'::regclass
ORDER BY 1
"""
)


def catalogue(url: str) -> str:
    """The catalogue of the database at ``url`` (``CATALOGUE``); its session is closed after."""
    engine = make_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return conn.execute(CATALOGUE).scalar_one()
    finally:
        engine.dispose()


def emptied(server_url: str, name: str, url: str, expected: str) -> bool:
    """End the sessions of the copy ``name`` (at ``url``) and, if its catalogue is still
    ``expected`` (the template's), truncate every table holding rows: True when the copy is as
    a fresh one would be; False (the copy is to be dropped) otherwise or on any error."""
    try:
        run_autocommit(
            server_url,
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            f"WHERE datname = '{name}' AND pid <> pg_backend_pid()",
        )
        engine = make_engine(url, poolclass=NullPool)
        try:
            with engine.begin() as conn:
                if conn.execute(CATALOGUE).scalar_one() != expected:
                    return False
                written = conn.execute(_WRITTEN).scalars().all()
                if written:
                    conn.execute(text(f"TRUNCATE {', '.join(written)} CASCADE"))
        finally:
            engine.dispose()
    except Exception:  # whatever the test left, a fresh copy replaces this one
        return False
    return True
