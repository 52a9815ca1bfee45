"""PostgreSQL roles: a pipeline role that needs no superuser rights, and read-only analysts.

Two roles per warehouse database, set up once by an administrator (a superuser, or a role with
CREATEROLE that owns the database):

- **pipeline** (``pipeline_sql``): a LOGIN role with NOSUPERUSER, NOCREATEDB, NOCREATEROLE. It
  owns the three layer schemas (``restricted``, ``published``, ``ops``) and everything already
  in them, and has CREATE on the database, so that migrations (``migrate.upgrade``) and loads
  (``bulk.replace_rows``, ``COPY FROM STDIN``) run as it. Run the pipeline, Alembic and the
  publishing step as this role, so that every table it creates is its own.
- **analyst** (``analyst_sql``): a LOGIN role that can read the ``published`` schema and
  nothing else: USAGE on ``published``, SELECT on all its tables and views, and default
  privileges so that tables and views the pipeline role creates there later are readable too.
  Nothing on ``restricted`` or ``ops`` (their privileges are revoked, should any have been
  granted), no INSERT, UPDATE, DELETE or CREATE anywhere in the warehouse's schemas. Its
  ``search_path`` in the warehouse database is ``published``, so that the unqualified names of
  the data dictionary's example queries (``indicator_values``) mean the same as in
  ``warehouse/tip.db`` opened alone on SQLite: one query text for both backends and any client.

Each function returns the SQL, so that a database administrator can read it (``--print``) or
run it with ``psql``; ``setup_pipeline_role`` and ``grant_analyst`` execute it in one
transaction. Both are idempotent: an existing role is reused, but never one with superuser,
CREATEDB, CREATEROLE, REPLICATION or BYPASSRLS (the SQL refuses it, so that a typo cannot
demote, or hand the warehouse to, an administrator)::

    python -m tip_pipeline.warehouse.roles pipeline \\
        --warehouse postgresql+psycopg://postgres@db:5432/tip --role tip_pipeline
    python -m tip_pipeline.warehouse.roles analyst \\
        --warehouse postgresql+psycopg://postgres@db:5432/tip --role tip_analyst

``--warehouse`` is the warehouse database, connected to as the administrator. Passwords are
not set here: set them with ``ALTER ROLE ... PASSWORD`` (or use certificates / pg_hba rules).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from typing import Final

from sqlalchemy import text
from sqlalchemy.engine import URL
from sqlalchemy.pool import NullPool

from tip_pipeline.errors import ValueFreeError
from tip_pipeline.warehouse.engine import is_sqlite, make_engine, normalise_url
from tip_pipeline.warehouse.layers import LAYERS, OPS, PUBLISHED, RESTRICTED

_ROLE_NAME_RE: Final = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")

#: role attributes neither role may have
_PRIVILEGED: Final = ("rolsuper", "rolcreatedb", "rolcreaterole", "rolreplication", "rolbypassrls")
_UNPRIVILEGED: Final = "NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS"


class RoleError(ValueFreeError, ValueError):
    """A role or database name that is not safe, or a setup that cannot be done."""


def checked_name(name: str, what: str = "role") -> str:
    """``name`` if it is a plain lower-case PostgreSQL identifier; RoleError otherwise."""
    if not _ROLE_NAME_RE.match(name or ""):
        raise RoleError(
            f"not a safe {what} name: {name!r} (lower-case letters, digits and _, "
            "starting with a letter or _, at most 63 characters)"
        )
    return name


def _ident(name: str, what: str = "role") -> str:
    return f'"{checked_name(name, what)}"'


def _login_role(role: str) -> str:
    """Create the LOGIN role unless it exists; refuse an existing privileged one."""
    checked_name(role)
    privileged = " OR ".join(_PRIVILEGED)
    return f"""DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}' AND ({privileged})) THEN
        RAISE EXCEPTION 'role {role} exists with administrator rights: choose another name';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') THEN
        CREATE ROLE "{role}" LOGIN {_UNPRIVILEGED};
    END IF;
END
$$"""


def _take_ownership(role: str) -> str:
    """Give ``role`` every table, view and free-standing sequence of the layer schemas
    (sequences owned by a column follow their table; indexes follow theirs)."""
    checked_name(role)
    schemas = ", ".join(f"'{layer}'" for layer in LAYERS)
    return f"""DO $$
DECLARE
    obj record;
BEGIN
    FOR obj IN
        SELECT n.nspname, c.relname,
               CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                              WHEN 'S' THEN 'SEQUENCE' WHEN 'f' THEN 'FOREIGN TABLE'
                              ELSE 'TABLE' END AS kind
        FROM pg_class AS c
        JOIN pg_namespace AS n ON n.oid = c.relnamespace
        WHERE n.nspname IN ({schemas})
          AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
          AND NOT (c.relkind = 'S' AND EXISTS (
              SELECT 1 FROM pg_depend AS d
              WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                AND d.deptype IN ('a', 'i')))
        ORDER BY n.nspname, c.relname
    LOOP
        EXECUTE 'ALTER ' || obj.kind || ' ' || quote_ident(obj.nspname) || '.'
            || quote_ident(obj.relname) || ' OWNER TO ' || quote_ident('{role}');
    END LOOP;
END
$$"""


def pipeline_sql(role: str, database: str) -> list[str]:
    """Statements making ``role`` the non-superuser owner of the warehouse ``database``'s
    layers (run as an administrator connected to that database)."""
    who, db = _ident(role), _ident(database, "database")
    statements = [_login_role(role), f"GRANT CONNECT, CREATE, TEMPORARY ON DATABASE {db} TO {who}"]
    for layer in LAYERS:
        statements += [
            f"CREATE SCHEMA IF NOT EXISTS {layer} AUTHORIZATION {who}",
            f"ALTER SCHEMA {layer} OWNER TO {who}",
        ]
    return [*statements, _take_ownership(role)]


def analyst_sql(role: str, database: str, owner: str) -> list[str]:
    """Statements letting ``role`` read the published layer and nothing else, by the tables'
    plain names (``search_path``, in this database only). ``owner`` is the role that creates
    published tables (the pipeline role): what it creates there later is readable by ``role``
    too."""
    who, db, creator = _ident(role), _ident(database, "database"), _ident(owner)
    if role == owner:
        raise RoleError(f"the analyst role cannot be the owner of the warehouse ({owner})")
    return [
        _login_role(role),
        f"GRANT CONNECT ON DATABASE {db} TO {who}",
        f"REVOKE ALL ON SCHEMA {RESTRICTED}, {OPS} FROM {who}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {RESTRICTED}, {OPS} FROM {who}",
        f"REVOKE ALL ON SCHEMA {PUBLISHED} FROM {who}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {PUBLISHED} FROM {who}",
        f"GRANT USAGE ON SCHEMA {PUBLISHED} TO {who}",
        f"GRANT SELECT ON ALL TABLES IN SCHEMA {PUBLISHED} TO {who}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {creator} IN SCHEMA {PUBLISHED} "
        f"GRANT SELECT ON TABLES TO {who}",
        f"ALTER ROLE {who} IN DATABASE {db} SET search_path = {PUBLISHED}",
    ]


def _postgres_url(url: str | URL) -> URL:
    if is_sqlite(url):
        raise RoleError("roles are a PostgreSQL matter: a SQLite warehouse has none")
    parsed = normalise_url(url)
    if not parsed.database:
        raise RoleError("the warehouse URL must name its database")
    return parsed


def _execute(url: URL, statements: Sequence[str]) -> None:
    """Run ``statements`` in one transaction, as written (no bind parameters: none holds a
    ``%`` or a ``:name``)."""
    engine = make_engine(url, poolclass=NullPool)
    try:
        with engine.begin() as conn:
            for statement in statements:
                conn.exec_driver_sql(statement)
    finally:
        engine.dispose()


def schema_owner(url: str | URL, schema: str = PUBLISHED) -> str:
    """The role owning ``schema`` in the warehouse at ``url``."""
    engine = make_engine(_postgres_url(url), poolclass=NullPool)
    try:
        with engine.connect() as conn:
            owner = conn.execute(
                text("SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = :schema"),
                {"schema": schema},
            ).scalar()
    finally:
        engine.dispose()
    if owner is None:
        raise RoleError(
            f"the warehouse has no {schema} schema yet: set up the pipeline role and migrate first"
        )
    return owner


def setup_pipeline_role(admin_url: str | URL, role: str) -> list[str]:
    """Create (or reuse) the non-superuser pipeline ``role`` owning the warehouse at
    ``admin_url`` (connected to as an administrator); the statements run."""
    url = _postgres_url(admin_url)
    statements = pipeline_sql(role, url.database)
    _execute(url, statements)
    return statements


def grant_analyst(admin_url: str | URL, role: str, owner: str | None = None) -> list[str]:
    """Create (or reuse) the read-only analyst ``role`` of the warehouse at ``admin_url``;
    ``owner`` defaults to the owner of the published schema. The statements run."""
    url = _postgres_url(admin_url)
    statements = analyst_sql(role, url.database, owner or schema_owner(url))
    _execute(url, statements)
    return statements


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tip_pipeline.warehouse.roles",
        description="Set up the PostgreSQL roles of a warehouse (run as an administrator).",
    )
    parser.add_argument("kind", choices=("pipeline", "analyst"))
    parser.add_argument(
        "--warehouse", required=True, help="warehouse database URL, as an administrator"
    )
    parser.add_argument("--role", required=True, help="role to create or reuse")
    parser.add_argument(
        "--owner", help="analyst: the pipeline role (default: the published schema's owner)"
    )
    parser.add_argument("--print", action="store_true", help="print the SQL instead of running it")
    args = parser.parse_args(argv)
    try:
        url = _postgres_url(args.warehouse)
        if args.kind == "pipeline":
            statements = pipeline_sql(args.role, url.database)
        else:
            if args.print and not args.owner:
                raise RoleError("--print needs --owner (the pipeline role)")
            owner = args.owner or schema_owner(url)
            statements = analyst_sql(args.role, url.database, owner)
        if args.print:
            print(";\n\n".join(statements) + ";")
            return 0
        _execute(url, statements)
    except (RoleError, ValueError) as err:
        print(f"roles: {err}", file=sys.stderr)
        return 1
    except Exception as err:  # a database error: one line, no traceback
        print(f"roles: {type(err).__name__}: {str(err).splitlines()[0]}", file=sys.stderr)
        return 1
    print(f"{args.kind} role {args.role} set up on database {url.database}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
