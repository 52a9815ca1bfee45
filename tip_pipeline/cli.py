"""The ``tip`` command: generate synthetic deliveries and run the pipeline from a shell.

An error is one line on stderr, its reason last, and exit status 1: the folders and the
warehouse URL are checked before any work starts (``preflight``), and a command that reads
the warehouse never creates one (``engine.require_existing``). ``--debug`` adds the traceback.
Help texts are plain text (argparse prints them as written) and show each default, a
warehouse URL's with its password hidden.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Sequence
from datetime import date
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from tip_pipeline import config
from tip_pipeline.errors import describe
from tip_pipeline.periods import FinancialYear, is_financial_year
from tip_pipeline.preflight import (
    check_delivery,
    check_warehouse_reachable,
    check_warehouse_url,
)
from tip_pipeline.warehouse.engine import redact_url, require_existing

DESCRIPTION = (
    "Data for a trauma-informed children's strategy: generate synthetic deliveries, take in a "
    "local authority's raw returns, run the pipeline into the warehouse, and write the "
    "measuring-impact report and the Fingertips-layout export."
)


def _generate(args: argparse.Namespace) -> int:
    from tip_pipeline.sources.generator import generate

    manifest = generate(
        out=args.out,
        scale=args.scale,
        seed=args.seed,
        faults=args.faults,
        plant_identifiers=args.plant_identifiers,
        first_year=args.first_year,
        last_year=args.last_year,
        progress=not args.quiet,
        format=args.format,
        ssda903=args.ssda903,
        match_rates=dict(args.match_rate),
    )
    rows = sum(f["rows"] for f in manifest["files"])
    print(f"wrote {len(manifest['files'])} files ({rows:,} rows) to {args.out}")
    if "raw" in manifest:
        support = args.out / "raw_support"
        print(
            f"wrote {len(manifest['raw']['files'])} raw returns to {args.out / 'raw'} and a "
            f"synthetic key and postcode lookup to {support}; take them in with "
            f"TIP_PSEUDONYM_KEY_FILE={support / 'pseudonym.key'} "
            f"TIP_POSTCODE_LOOKUP={args.out / manifest['raw']['postcode_lookup']['path']} "
            f"tip run --raw {args.out / 'raw'} --data {args.out}"
        )
    if manifest.get("faults"):
        print(f"injected {len(manifest['faults'])} faults (listed in manifest.json)")
    if manifest.get("identifiers"):
        print(f"planted {len(manifest['identifiers'])} direct identifiers: expect refusal")
    return 0


def _match_rate(text: str) -> tuple[str, float]:
    """``--match-rate SYSTEM=SHARE``, checked as the generator checks it."""
    from tip_pipeline.sources.generator.dfe_services import (
        MatchRateError,
        match_rates,
        parse_match_rate,
    )

    try:
        system, rate = parse_match_rate(text)
        match_rates({system: rate})
    except MatchRateError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return system, rate


def _default_dagster_home() -> None:
    """Runs are kept in a Dagster instance under the working folder unless DAGSTER_HOME says
    otherwise, so that ``dagster dev`` shows the runs ``tip run`` made."""
    if not os.environ.get("DAGSTER_HOME"):
        home = Path(".dagster_home").resolve()
        home.mkdir(exist_ok=True)
        os.environ["DAGSTER_HOME"] = str(home)


def _checked_warehouse(url: str, *, existing: bool) -> None:
    """The URL is one the engine accepts; with ``existing``, the SQLite files are there (a
    command that reads the warehouse must not create it)."""
    check_warehouse_url(url)
    if existing:
        require_existing(url)


def _intake(raw: Path, data: Path, warehouse: str, rekey: bool) -> int:
    """Take the raw returns in (tip_pipeline.intake.run) and print the run's report."""
    from tip_pipeline.intake.run import take_in
    from tip_pipeline.warehouse.engine import make_engine
    from tip_pipeline.warehouse.migrate import upgrade

    engine = make_engine(warehouse)
    try:
        upgrade(engine)
        summary = take_in(raw, data, engine, rekey=rekey)
    finally:
        engine.dispose()
    print("\n".join(summary.report()))
    return 0


def _intake_command(args: argparse.Namespace) -> int:
    if not args.raw:
        print(f"tip intake: give --raw or set {config.RAW_DIR.name}", file=sys.stderr)
        return 1
    _checked_warehouse(args.warehouse, existing=False)
    return _intake(Path(args.raw), Path(args.out), args.warehouse, args.rekey)


def _run(args: argparse.Namespace) -> int:
    """Check the warehouse URL and the delivery first (a second), then start Dagster (its
    import alone takes seconds, a failed run half a minute)."""
    check_warehouse_reachable(check_warehouse_url(args.warehouse))
    first = FinancialYear.parse(config.FIRST_YEAR.value())
    if args.raw:
        _intake(Path(args.raw), Path(args.data), args.warehouse, rekey=False)
    check_delivery(Path(args.data), first, date.today())
    from tip_pipeline.runner import run_all

    _default_dagster_home()
    summary = run_all(Path(args.data), args.warehouse, verbose=args.verbose)
    print(
        f"materialised {summary.materialized} assets in {len(summary.run_ids)} runs; "
        f"years: {', '.join(summary.partitions) or 'none'}; "
        f"warehouse: {redact_url(args.warehouse)}"
    )
    if summary.skipped:
        print(f"not complete financial years, left out: {', '.join(summary.skipped)}")
    return 0


def _purge(args: argparse.Namespace) -> int:
    """Purge what is past the retention settings (tip_pipeline.defs.retention), or with
    ``--dry-run`` say what would be; counts only."""
    import dagster as dg

    from tip_pipeline.defs.retention import purge_all
    from tip_pipeline.warehouse.engine import make_engine
    from tip_pipeline.warehouse.migrate import upgrade

    _checked_warehouse(args.warehouse, existing=True)
    _default_dagster_home()
    engine = make_engine(args.warehouse)
    try:
        upgrade(engine)
        with dg.DagsterInstance.get() as instance:
            raw = Path(args.raw) if args.raw else None
            outcome = purge_all(engine, instance, Path(args.data), raw, dry_run=args.dry_run)
    finally:
        engine.dispose()
    print("\n".join(outcome.report(args.dry_run)))
    return 0


def _erase(args: argparse.Namespace) -> int:
    """Erase children's records from every layer (tip_pipeline.warehouse.erasure), then run
    again, from their delivered files, every published year from the first they appeared in
    (staging now refuses their rows)."""
    import uuid
    from datetime import UTC, datetime

    from tip_pipeline.ingest.discovery import delivered_periods
    from tip_pipeline.runner import run_years
    from tip_pipeline.warehouse.consistency import published_years
    from tip_pipeline.warehouse.engine import make_engine
    from tip_pipeline.warehouse.erasure import erase, read_pseudonyms
    from tip_pipeline.warehouse.migrate import upgrade

    given = read_pseudonyms(args.pseudonym, "tip erase", unit="pseudonym")
    if args.from_file:
        path = Path(args.from_file)
        given += read_pseudonyms(path.read_text(encoding="utf-8").splitlines(), path.name)
    pseudonyms = sorted(set(given))
    if not pseudonyms:
        print("tip erase: give --pseudonym or --from", file=sys.stderr)
        return 1
    _checked_warehouse(args.warehouse, existing=True)
    engine = make_engine(args.warehouse)
    try:
        upgrade(engine)
        erased, periods = erase(engine, pseudonyms, str(uuid.uuid4()), datetime.now(UTC))
        with engine.connect() as conn:
            published = {FinancialYear.parse(p) for p in published_years(conn)}
    finally:
        engine.dispose()
    rows = sum(row.count for row in erased)
    print(f"erased {rows:,} rows of {len(pseudonyms)} children from {len(periods)} years")
    first = min((FinancialYear.parse(p) for p in periods if is_financial_year(p)), default=None)
    later = sorted(y for y in published if first is not None and y >= first)
    delivered = set(delivered_periods(Path(args.data)))
    again = [year for year in later if year in delivered]
    if again:
        _default_dagster_home()
        run_years(Path(args.data), args.warehouse, again, verbose=args.verbose)
        print(f"run again and published: {', '.join(year.label for year in again)}")
    missing = [year.label for year in later if year not in delivered]
    if missing:
        print(
            f"not run again, their files are not in {args.data}: {', '.join(missing)} (their "
            "published figures count the erased children until they are)"
        )
    return 0


def _export(args: argparse.Namespace) -> int:
    from tip_pipeline.export import export, format_from

    _checked_warehouse(args.warehouse, existing=True)
    rows = export(args.warehouse, format_from(args.out, args.format), args.out)
    print(f"wrote {rows:,} rows in the Fingertips layout to {args.out}")
    return 0


def _report(args: argparse.Namespace) -> int:
    from tip_pipeline.reports import write_report
    from tip_pipeline.warehouse.engine import make_engine

    _checked_warehouse(args.warehouse, existing=True)
    engine = make_engine(args.warehouse)
    try:
        built = write_report(engine, args.out, args.area, args.period)
    except ValueError as err:  # a malformed --period
        print(f"tip report: {err}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    size = args.out.stat().st_size
    print(
        f"wrote the {built.area_name} {built.period} report ({built.charts} charts, "
        f"{size / 1e6:.2f} MB) to {args.out}"
    )
    if args.pdf:
        from tip_pipeline.reports.pdf import print_pdf

        pdf = print_pdf(args.out, args.out.with_suffix(".pdf"))
        print(f"printed it to {pdf}")
    return 0


class _HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Defaults shown after each option's help, except where there is none to show (a flag,
    an option without a default) or the help states it already (the warehouse URL, shown
    redacted)."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        if action.default in (None, False, "") or "(default:" in (action.help or ""):
            return action.help
        return super()._get_help_string(action)


def shown_url(url: str) -> str:
    """``url`` as help may print it: password hidden (``engine.redact_url``), not printed at
    all when it does not parse (it may be a password typed in the wrong place), and ``%``
    doubled for argparse."""
    try:
        shown = make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        shown = f"{config.WAREHOUSE_URL.name}, which is not a URL"
    return shown.replace("%", "%%")


def _data_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data",
        default=config.DATA_DIR.value(),
        help=f"delivery folder; {config.DATA_DIR.name} sets the default",
    )


def _warehouse_option(parser: argparse.ArgumentParser, what: str) -> None:
    default = config.WAREHOUSE_URL.value()
    parser.add_argument(
        "--warehouse",
        default=default,
        help=f"{what}; {config.WAREHOUSE_URL.name} sets the default "
        f"(default: {shown_url(default)})",
    )


def _package_version() -> str:
    try:
        return version("tip_pipeline")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "(not installed)"


def build_parser() -> argparse.ArgumentParser:
    debug_help = (
        "on an error, print the traceback too (it may show values of records: keep it out of "
        "logs others read)"
    )
    # before or after the command; the command's copy sets nothing unless given, or it would
    # reset ``tip --debug run`` to False
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=debug_help)
    parser = argparse.ArgumentParser(
        prog="tip", description=DESCRIPTION, formatter_class=_HelpFormatter
    )
    parser.add_argument("--debug", action="store_true", help=debug_help)
    parser.add_argument("--version", action="version", version=f"%(prog)s {_package_version()}")
    commands = parser.add_subparsers(dest="command", required=True)

    def command(name: str, summary: str) -> argparse.ArgumentParser:
        sub: Any = commands.add_parser(
            name, help=summary, description=summary, formatter_class=_HelpFormatter,
            parents=[common],
        )  # fmt: skip
        return sub

    gen = command("generate", "write a synthetic delivery")
    gen.add_argument("--out", required=True, type=Path, help="folder to write into")
    gen.add_argument(
        "--scale", choices=("small", "leeds", "england"), default="small", help="population size"
    )
    gen.add_argument("--seed", type=int, default=0, help="seed of the synthetic population")
    gen.add_argument("--faults", type=float, default=0.0, help="share of bad rows to inject")
    gen.add_argument(
        "--plant-identifiers",
        action="store_true",
        help="plant direct identifiers that must make the delivery be refused",
    )
    gen.add_argument("--first-year", default="2020/21", help="first reporting year")
    gen.add_argument("--last-year", default="2025/26", help="last reporting year")
    gen.add_argument(
        "--format",
        choices=("contract", "dfe"),
        default="contract",
        help="contract: every extract as its contract file; dfe: the CIN, SSDA903, youth "
        "justice and H-CLIC extracts as the raw records intake takes in, with the authority's "
        "cross-reference of people across the services (in OUT/raw, key and postcode lookup in "
        "OUT/raw_support), the reference files as contract files",
    )
    gen.add_argument(
        "--ssda903",
        choices=("mixed", "csv", "xml"),
        default="mixed",
        help="with --format dfe, each year's SSDA903 return as CSV tables or as DfE's XML; "
        "mixed: the XML for years ending in an even year, the CSV tables for the others",
    )
    gen.add_argument(
        "--match-rate",
        action="append",
        type=_match_rate,
        default=[],
        metavar="SYSTEM=SHARE",
        help="with --format dfe, the share of a service's children the cross-reference lists "
        "(social_care, youth_justice, housing; repeat for each); defaults social_care=1.0, "
        "youth_justice=0.85, housing=0.7; every share 0 writes no cross-reference",
    )
    gen.add_argument("--quiet", action="store_true", help="no progress bar")
    gen.set_defaults(func=_generate)

    run = command("run", "materialise the whole asset graph in-process")
    _data_option(run)
    _warehouse_option(run, "warehouse URL")
    run.add_argument(
        "--raw", help="raw landing folder: take its returns in first, into --data (tip intake)"
    )
    run.add_argument(
        "--verbose",
        action="store_true",
        help="print Dagster's event lines instead of the progress display (the UI keeps them "
        "either way)",
    )
    run.set_defaults(func=_run)

    intake = command(
        "intake", "convert a local authority's raw returns into pseudonymised contract files"
    )
    intake.add_argument(
        "--raw",
        default=config.RAW_DIR.value(),
        help=f"raw landing folder; {config.RAW_DIR.name} sets the default",
    )
    intake.add_argument(
        "--out",
        default=config.DATA_DIR.value(),
        help=f"data folder to write; {config.DATA_DIR.name} sets the default",
    )
    _warehouse_option(intake, "warehouse URL")
    intake.add_argument(
        "--rekey",
        action="store_true",
        help="the pseudonym key has changed and the whole history is being rebuilt with it",
    )
    intake.set_defaults(func=_intake_command)

    purge = command(
        "purge", "delete what is past the retention settings (TIP_RETAIN_*), counts recorded"
    )
    _warehouse_option(purge, "warehouse URL (an existing warehouse)")
    _data_option(purge)
    purge.add_argument(
        "--raw",
        default=config.RAW_DIR.value(),
        help=f"raw landing folder; {config.RAW_DIR.name} sets the default",
    )
    purge.add_argument(
        "--dry-run", action="store_true", help="say what would be purged, delete nothing"
    )
    purge.set_defaults(func=_purge)

    erase_cmd = command(
        "erase", "erase children's records from every layer and run their years again"
    )
    _warehouse_option(erase_cmd, "warehouse URL (an existing warehouse)")
    erase_cmd.add_argument(
        "--pseudonym",
        action="append",
        default=[],
        help="a child's pseudonym as the warehouse holds it (repeat for several)",
    )
    erase_cmd.add_argument("--from", dest="from_file", help="a file of pseudonyms, one per line")
    _data_option(erase_cmd)
    erase_cmd.add_argument(
        "--verbose", action="store_true", help="Dagster's event lines instead of the progress"
    )
    erase_cmd.set_defaults(func=_erase)

    exp = command(
        "export", "write the published indicator values in the Fingertips download layout"
    )
    _warehouse_option(exp, "warehouse URL (an existing warehouse)")
    exp.add_argument("--format", help="csv, parquet or xlsx (default: from the suffix of --out)")
    exp.add_argument("--out", required=True, type=Path, help="file to write")
    exp.set_defaults(func=_export)

    rep = command("report", "write the measuring-impact report (one self-contained HTML file)")
    _warehouse_option(rep, "warehouse URL (an existing warehouse)")
    rep.add_argument("--out", required=True, type=Path, help="HTML file to write")
    rep.add_argument("--area", help="LA code (default: the only LA published)")
    rep.add_argument("--period", help="reporting year, e.g. 2024/25 (default: the latest)")
    rep.add_argument(
        "--pdf", action="store_true", help="also print it to FILE.pdf (needs a local Chromium)"
    )
    rep.set_defaults(func=_report)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; any error is one line on stderr and exit status 1, never a traceback
    (unless ``--debug``, when the traceback comes first and the line still last): the
    project's own errors as written, any other described without its message, which may
    repeat a delivered value (tip_pipeline.errors)."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except Exception as err:  # every error, reported the same value-free way
        if args.debug:
            traceback.print_exc()
        print(f"tip {args.command}: {describe(err)}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
