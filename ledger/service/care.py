"""Care of the ledger as a whole: a verified backup with a seal beside it, what `doctor` says of the
ledger, the text index built again, and the marks a dumped copy lost written back."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from ledger.errors import DamageFound
from ledger.i18n import _
from ledger.service.opening import its_own, transaction
from ledger.service.verifying import Problem, describe, verify
from ledger.store import engine_at
from ledger.store.interface import Ledger
from ledger.store.location import Location, at
from ledger.store.types import StoreFacts


def rebuild_index(ledger: Ledger) -> None:
    """Build the text index again from the records (it is derived from them, never evidence itself)."""
    ledger.rebuild_index()


def repair_marks(location: Location) -> int | None:
    """Give a ledger copied with its engine's dump tool what the copy lost; its records are then
    verified as any ledger's are. Returns the schema found, or None when nothing was missing."""
    return engine_at(location).repair_marks()


@dataclass
class Backup:
    """What `backup` wrote: how many records, where its seal went (if one was made), what to say."""

    records: int
    seal: Path | None
    notes: list[str]
    damage: list[str]  # damage the ledger itself holds, copied as it is


def backup(location: Location, target: Path, *, overwrite: bool = False) -> Backup:
    """A consistent copy, and a fresh seal of the ledger beside it (TARGET.seal, TARGET.seal.sig),
    taken first so that the copy holds the sealed state. The seal is listed and its files put in
    place before the copy takes its name: a backup is never there without its seal, even if the
    command is killed."""
    from ledger.output.files import replaced_when_done
    from ledger.service import sealing

    done, notes = sealing.fresh(location)
    seal_file = None
    with replaced_when_done(target, overwrite=overwrite, kept=its_own(location)) as partial:
        records, damage = _copy(location, partial, shown=target)
        if done is not None:
            seal_file = target.with_name(f"{target.name}.seal")
            with sealing.written(done, seal_file, overwrite=True, kept=its_own(location)):
                notes += sealing.listed(location, done)
    return Backup(records, seal_file, notes, damage)


def _copy(location: Location, partial: Path, *, shown: Path) -> tuple[int, list[str]]:
    """A consistent copy into `partial` (to be `shown`), made while others may write.

    The copy is verified before it takes its name. Damage the ledger itself holds is copied as it is
    (a copy of a damaged ledger is what a repair starts from) and said; damage only the copy has
    refuses it. Returns the number of records in it, and what to say of the damage."""
    with transaction(location) as source:
        source.copy_to_file(partial, shown=shown)
        with transaction(at(partial)) as copy:
            result = verify(copy)
        damage = _damage(result.problems)
        if damage and [describe(p) for p in damage] != [describe(p) for p in _damage(verify(source).problems)]:
            raise DamageFound(_("the copy does not verify ({problem}); run `topup verify` on the ledger",
                                problem=describe(damage[0])))
        held = [_("the ledger itself has {count} problem(s) (first: {problem}); the copy holds them as the ledger "
                  "does. Run `topup verify`", count=len(damage), problem=describe(damage[0]))] if damage else []
        return result.records, held


def _damage(problems: list[Problem]) -> list[Problem]:
    # The text index is derived from the records; one out of step loses nothing and is rebuilt at will.
    # Seals say whether a ledger holds a history, not whether a copy of it is whole: a copy of a
    # ledger already below a seal is still a good copy of it.
    return [problem for problem in problems if problem.kind not in ("search", "seal")]


@dataclass(frozen=True)
class Examined:
    """What `doctor` says of the ledger: where it is and how big, its storage, and what `verify` found."""

    path: str
    size_bytes: int
    permissions: str
    stored: StoreFacts
    leftover_files: list[str]  # partial outputs a killed command left beside it (the next output to their name
    # removes them)
    problems: list[Problem]


def doctor(location: Location) -> Examined:
    """Facts about the ledger, and what `verify` finds in it."""
    from ledger.output.files import partials_in

    engine = engine_at(location)
    with engine.transaction() as ledger:
        stored = ledger.facts()
        result = verify(ledger)
    path = location.path
    assert path is not None  # the only engine keeps a ledger in a file
    mode = stat.S_IMODE(os.stat(path).st_mode)
    if mode & 0o077:
        result.problems.append(Problem(None, "permissions", _("the ledger file is readable by others ({mode}); run: "
                                                              "chmod 600 {path}", mode=oct(mode), path=path)))
    return Examined(str(path.resolve()), engine.size_bytes(), oct(mode), stored,
                    [str(p) for p in partials_in(path.parent)], result.problems)
