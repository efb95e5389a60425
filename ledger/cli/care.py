"""Receipt files and care of the ledger: verify, backup, doctor; the ledger in Datasette."""

import sys
from pathlib import Path
from typing import Annotated

import typer

from ledger.cli.app import ItemFormat, RecordIdArg, app, existing_ledger, ledger_location, open_ledger, say, warn
from ledger.i18n import N_, _

receipt_app = typer.Typer(help=_("Receipt files kept inside the ledger."), no_args_is_help=True, rich_markup_mode=None)
app.add_typer(receipt_app, name="receipt")


@receipt_app.command("add", help=_("Keep receipt files with a record; the same file is kept only once."))
def receipt_add(
    ctx: typer.Context,
    record_id: RecordIdArg,
    files: Annotated[list[str], typer.Argument(
        metavar="FILE...", help=_("Receipt files (photos, PDFs, e-receipts)."))],
) -> None:
    from ledger.service import receipts

    with open_ledger(ctx, write=True) as ledger:
        record, added = receipts.add_receipts(ledger, record_id, files)
    kept = len(record["receipts"])
    say(_("record {id}: {added} file(s) added, {kept} kept in all", id=record_id, added=added, kept=kept) if added
        else _("record {id} already keeps these files; nothing added", id=record_id))


@receipt_app.command("get", help=_("Write a record's receipt files into a folder, byte for byte."))
def receipt_get(
    ctx: typer.Context,
    record_id: RecordIdArg,
    output_dir: Annotated[Path, typer.Option("--output", "-o", help=_("Folder to write into."))] = Path("."),
) -> None:
    from ledger.cli import output
    from ledger.service import receipts

    with open_ledger(ctx) as ledger:
        written = receipts.write_receipts(ledger, record_id, output_dir)
    for path in written:
        output.write_line(str(path))


@app.command("verify", help=_("Check the database, every record's history, every receipt file and every seal "
                              "issued of the ledger (and those given with --seal); exit 3 if anything is wrong."))
def verify(
    ctx: typer.Context,
    seal_files: Annotated[list[Path] | None, typer.Option(
        "--seal", metavar="FILE", help=_("A seal (topup seal) the ledger must still hold; repeatable."))] = None,
    output_format: Annotated[ItemFormat, typer.Option("--format")] = ItemFormat.text,
) -> None:
    from ledger.cli import output
    from ledger.service import sealing, verifying

    with open_ledger(ctx) as ledger:
        result = verifying.verify(ledger)
        for path in seal_files or []:
            result.problems += [verifying.Problem(None, "seal", problem)
                                for problem in sealing.check_files(ledger, path)]
    problems = result.problems
    if output_format is ItemFormat.json:
        output.print_json({"ok": not problems, "problems": problems})
    else:
        for problem in problems:
            output.write_line(verifying.describe(problem))
    if problems:
        say("error: " + _("{count} problem(s) found; nothing was repaired. Compare with a backup (`topup backup`) "
                          "before changing anything", count=len(problems)))
        raise typer.Exit(3)
    say(_("ok: {records} records, their history and receipt files all verify", records=result.records))


@app.command("seal", help=_("Seal the ledger's history as it is now, signed with a key kept outside the ledger."))
def seal(
    ctx: typer.Context,
    output_file: Annotated[Path | None, typer.Option(
        "--output", "-o",
        help=_("The seal's file (default topup-seal-TIME.txt); its signature goes beside it, .sig."))] = None,
    force: Annotated[bool, typer.Option("--force", help=_("Replace the files if they exist."))] = False,
) -> None:
    from ledger.service import sealing

    done, target, notices = sealing.seal_to_files(existing_ledger(ctx), output_file, overwrite=force)
    for notice in notices:
        say(notice)
    made = done.seal
    signers = sealing.key_folder() / "allowed_signers"
    say(_("sealed {links} links (newest {seq}: {digest}…) in {target} and {target}.sig", links=made.links,
          seq=made.head_seq, digest=made.head_digest[:16], target=target))
    say(_("check it with: ssh-keygen -Y verify -f {signers} -I topup-ledger -n topup-seal -s {target}.sig < {target}",
          signers=signers, target=target))


@app.command("backup", help=_("A consistent copy of the ledger, safe to take while it is in use; the copy is "
                              "verified, and a fresh seal of the ledger goes beside it (FILE.seal, FILE.seal.sig)."))
def backup(
    ctx: typer.Context,
    target: Annotated[Path, typer.Argument(metavar="FILE")],
    force: Annotated[bool, typer.Option("--force", help=_("Replace FILE if it exists."))] = False,
) -> None:
    from ledger.service import care

    written = care.backup(ledger_location(ctx), target, overwrite=force)
    for note in written.notes:
        say(f"note: {note}")
    warn(written.damage)
    if written.seal:
        say(_("backup written to {target}: {records} records, verified; sealed in {seal}", target=target,
              records=written.records, seal=written.seal))
    else:
        say(_("backup written to {target}: {records} records, verified", target=target, records=written.records))


# What `doctor` calls what it found.
DOCTOR_LABELS = {"path": N_("file"), "size_bytes": N_("size in bytes"), "schema_version": N_("schema version"),
                 "journal_mode": N_("journal mode"), "permissions": N_("permissions"), "cards": N_("cards"),
                 "records": N_("records"), "void_records": N_("void records"), "receipt_files": N_("receipt files"),
                 "receipt_bytes": N_("receipt bytes"), "leftover_files": N_("leftover files"), "verify": N_("verify")}


@app.command("doctor", help=_("Where the ledger is and what state it is in, then a full verify; exit 3 if "
                              "anything is wrong."))
def doctor(
    ctx: typer.Context,
    rebuild_index: Annotated[bool, typer.Option(
        "--rebuild-index", help=_("Build the text index again from the records first."))] = False,
    repair: Annotated[bool, typer.Option(
        "--repair", help=_("First write back the marks (application id, schema version) that a copy made with "
                           "the SQLite shell's .dump lost."))] = False,
    output_format: Annotated[ItemFormat, typer.Option("--format")] = ItemFormat.text,
) -> None:
    from ledger.cli import output
    from ledger.service import care, verifying

    if repair:
        version = care.repair_marks(ledger_location(ctx))
        say(_("the ledger's marks were all there; nothing was repaired") if version is None else
            _("wrote back the marks the copy had lost: application id and schema {version}; its journal is now "
              "write-ahead, as in every ledger", version=version))
    if rebuild_index:
        with open_ledger(ctx, write=True) as ledger:
            care.rebuild_index(ledger)
        say(_("the text index was built again from the records"))

    examined = care.doctor(ledger_location(ctx))
    stored, problems = examined.stored, examined.problems
    facts = {"path": examined.path, "size_bytes": examined.size_bytes, "schema_version": stored.schema_version,
             f"{stored.engine}_version": stored.engine_version, "journal_mode": stored.journal_mode,
             "permissions": examined.permissions, "cards": stored.cards, "records": stored.records,
             "void_records": stored.void_records, "receipt_files": stored.receipt_files,
             "receipt_bytes": stored.receipt_bytes, "leftover_files": examined.leftover_files}
    if output_format is ItemFormat.json:
        output.print_json({**facts, "ok": not problems, "problems": problems})
    else:
        verified = _("ok") if not problems else _("{count} problem(s)", count=len(problems))
        output.print_fields({**facts, "verify": verified}, DOCTOR_LABELS | {f"{stored.engine}_version": N_(
            "engine version")})
        for problem in problems:
            output.write_line("  " + verifying.describe(problem))
    if problems:
        say("error: " + (_("{count} problem(s) found; none of them was repaired", count=len(problems)) if repair
                         else _("{count} problem(s) found; nothing was repaired", count=len(problems))))
        raise typer.Exit(3)


@app.command("datasette", help=_("Open the ledger in Datasette, if installed: the views records and cards "
                                 "first, a text search. Prints the address to open, the only way in; Ctrl-C "
                                 "stops it."))
def datasette(
    ctx: typer.Context,
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help=_("Port on 127.0.0.1 to serve on."))] = 8001,
    write_metadata: Annotated[Path | None, typer.Option(
        "--write-metadata", metavar="FILE",
        help=_("Only write Datasette's metadata, to run `datasette serve LEDGER -m FILE --root` yourself."))] = None,
) -> None:
    import os

    from ledger.service import datasette as opening

    location = existing_ledger(ctx)
    target = opening.prepare(location, write_metadata)
    path = str(location)
    if write_metadata is not None:
        say(_("wrote {file}; run: datasette serve {path} --metadata {file} --root, and open the address it prints",
              file=write_metadata, path=path))
        return
    command = opening.command()
    sys.stdout.flush()
    # Datasette takes this process's place: Ctrl-C and a terminating signal reach it directly. It
    # prints the address that signs in its root, the only one the metadata lets in.
    os.execv(command[0], [*command, "serve", path, "--metadata", str(target), "--root", "--host", "127.0.0.1",
                          "--port", str(port)])


@app.command("serve", help=_("The ledger in a browser: records, receipts as pictures, cards, verify, and a "
                             "form to log a top-up. Prints the address to open (with its token); Ctrl-C stops it."))
def serve(
    ctx: typer.Context,
    port: Annotated[int, typer.Option(
        "--port", min=0, max=65535, help=_("Port to serve on (default: a free one)."))] = 0,
    lan: Annotated[bool, typer.Option(
        "--lan", help=_("Serve on this machine's local network address, for a phone; also prints a QR code."))] = False,
    read_only: Annotated[bool, typer.Option(
        "--read-only", help=_("Serve without the form that logs a top-up."))] = False,
) -> None:
    from ledger.web.server import serve as serving

    try:
        serving(existing_ledger(ctx), sys.stdout, port=port, lan=lan, read_only=read_only)
    except KeyboardInterrupt:
        pass  # Ctrl-C is how serving ends; the server has already finished its requests
    say(_("stopped"))
