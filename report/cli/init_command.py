"""`trialreport init [DIR] --from PATH`: a commented trial.toml scaffolded from a data folder
(report.inputs.scaffold), what was found, and a numbered list of what to fill in next."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from .guard import guarded, out
from ..errors import InputError, Problem


@guarded
def init(
    trial_dir: Optional[Path] = typer.Argument(None, help="The trial folder to write trial.toml in (default: this folder)."),
    source: Path = typer.Option(..., "--from", help="The folder of the data: tidy CSV files (subjects.csv, ...) or "
                                "ADaM datasets (adsl.xpt or .sas7bdat, ...)."),
) -> None:
    """Write a commented trial.toml from a data folder, and say what to fill in next."""
    import tomllib

    from ..inputs.scaffold import scaffold
    from ..inputs.scaffold_toml import spec_text
    from ..inputs.spec import SPEC_FILE
    from ..inputs.spec_todo import todo_keys

    trial_dir = trial_dir if trial_dir is not None else Path(".")
    spec_path = trial_dir / SPEC_FILE
    if spec_path.exists():
        raise InputError(Problem(str(spec_path), "already exists; init never overwrites a spec: "
                                                 "move it away or name another folder"))
    found = scaffold(source)
    text = spec_text(found, trial_dir)
    todos = todo_keys(tomllib.loads(text))
    trial_dir.mkdir(parents=True, exist_ok=True)
    try:
        with spec_path.open("x", encoding="utf-8") as handle:  # "x": never over a file written meanwhile
            handle.write(text)
    except FileExistsError:
        raise InputError(Problem(str(spec_path), "already exists; init never overwrites a spec")) from None
    _say(found, spec_path, todos)


def _say(found, spec_path: Path, todos: list[tuple[str, str]]) -> None:
    def line(text: str = "") -> None:
        out.print(text, markup=False, highlight=False)

    kind = "ADaM datasets" if found.kind == "adam" else "tidy CSV files"
    line(f"Wrote {spec_path} from the {kind} in {found.data_dir}.")
    line("Found:")
    for dataset in found.datasets:
        line(f"  {dataset}")
    if found.mapped:
        line("Mapped:")
        for mapped in found.mapped:
            line(f"  {mapped}")
    if found.notes:
        line("Not found (not collected, unless you name where it is):")
        for note in found.notes:
            line(f"  {note}")
    if todos:
        line(f"Fill in next ({len(todos)}, marked TODO in {spec_path.name}):")
        for number, (key, hint) in enumerate(todos, 1):
            line(f"  {number}. {key}: {hint}")
    trial = spec_path.parent
    line(f"Then: trialreport validate {trial}   and   trialreport build {trial}")
