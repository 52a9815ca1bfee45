"""Errors described without the values they repeat: each library's error is first shown to
repeat the planted value (so the test has teeth), then :func:`describe` to name the class,
where and what without it."""

from __future__ import annotations

import csv
import io
import sqlite3
import xml.etree.ElementTree as ET

import pandas as pd
import psycopg
import pytest
import sqlalchemy as sa

from tip_pipeline.errors import (
    ValueFreeError,
    ValuesWithheld,
    describe,
    error_chain,
    raised_at,
    withheld,
)
from tip_pipeline.ingest.discovery import DeliveryError

NAME = "Olivia Hussain"
DOB = "14/03/2015"


def raised(fn) -> BaseException:
    try:
        fn()
    except Exception as error:  # whatever it raises
        return error
    raise AssertionError("nothing was raised")


def test_a_value_free_error_is_shown_as_it_is():
    error = DeliveryError("cin_children_2023-24.csv: line 3 is not UTF-8")
    assert describe(error) == str(error)
    assert withheld(error) is error


def test_pandas_and_int_errors_name_their_class_and_where_only():
    for error in (
        raised(lambda: pd.to_datetime(pd.Series([DOB]), format="%Y-%m-%d")),
        raised(lambda: int(NAME)),
    ):
        assert DOB in str(error) or NAME in str(error)
        text = describe(error)
        assert DOB not in text and NAME not in text and "withheld" in text
        assert type(error).__name__ in text


def test_where_is_the_innermost_frame_of_the_package():
    from tip_pipeline.periods import FinancialYear

    error = raised(lambda: FinancialYear.parse(NAME))
    assert raised_at(error).startswith("tip_pipeline/periods.py:")
    assert "raised at tip_pipeline/periods.py:" in describe(error)
    assert NAME not in describe(error)


def test_parsers_give_positions_not_text():
    xml_error = raised(lambda: ET.fromstring(f"<Child><Name>{NAME}</Name></Chil>"))
    assert "line 1, column" in describe(xml_error) and NAME not in describe(xml_error)
    decode_error = raised(lambda: f"{NAME}\xe9".encode("latin-1").decode("utf-8"))
    assert f"byte offset {len(NAME)}" in describe(decode_error)
    reader = csv.reader(io.StringIO(f'"{NAME}"x\n'), strict=True)
    csv_error = raised(lambda: list(reader))
    assert "_csv.Error" in describe(csv_error) and NAME not in describe(csv_error)


def test_sqlite_names_its_constraint_not_the_value(tmp_path):
    connection = sqlite3.connect(tmp_path / "t.db")
    connection.execute("CREATE TABLE child (child_id TEXT PRIMARY KEY)")
    connection.execute("INSERT INTO child VALUES (?)", (NAME,))
    error = raised(lambda: connection.execute("INSERT INTO child VALUES (?)", (NAME,)))
    text = describe(error)
    assert "SQLITE_CONSTRAINT_PRIMARYKEY" in text and "child.child_id" in text
    assert NAME not in text


def test_a_wrapped_sqlalchemy_error_is_found_through_its_chain(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path}/t.db", hide_parameters=True)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE child (child_id TEXT PRIMARY KEY)"))
        conn.execute(sa.text("INSERT INTO child VALUES (:v)"), {"v": NAME})

    def again():
        with engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO child VALUES (:v)"), {"v": NAME})

    error = raised(again)
    assert isinstance(error, sa.exc.IntegrityError)
    assert isinstance(list(error_chain(error))[1], sqlite3.IntegrityError)
    text = describe(error)
    assert "sqlalchemy.exc.IntegrityError" in text and "sqlite3.IntegrityError" in text
    assert NAME not in text and "INSERT" not in text


@pytest.mark.postgres
def test_postgres_detail_and_copy_context_are_withheld(migrated_postgres_url):
    url = sa.make_url(migrated_postgres_url).set(drivername="postgresql")
    with psycopg.connect(url.render_as_string(hide_password=False), autocommit=True) as conn:
        conn.execute("CREATE TABLE public.child (child_id text PRIMARY KEY, age int)")
        conn.execute("INSERT INTO public.child VALUES (%s, 1)", (NAME,))
        unique = raised(lambda: conn.execute("INSERT INTO public.child VALUES (%s, 2)", (NAME,)))

        def copy_a_name_into_a_number():
            with conn.cursor().copy("COPY public.child (child_id, age) FROM STDIN") as copy:
                copy.write_row(("x", NAME))

        copied = raised(copy_a_name_into_a_number)
    assert NAME in str(unique) and NAME in str(copied)  # what the messages would have leaked
    text = describe(unique)
    assert "SQLSTATE 23505" in text and "table public.child" in text
    assert "constraint child_pkey" in text and NAME not in text
    text = describe(copied)
    assert "SQLSTATE 22P02" in text and "COPY into child, line 1" in text
    assert "column age" in text and NAME not in text


def test_withheld_is_a_value_free_error():
    error = withheld(ValueError(NAME))
    assert isinstance(error, ValuesWithheld) and isinstance(error, ValueFreeError)
    assert NAME not in str(error)
