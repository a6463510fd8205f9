"""A trial's own templates, checked: before a build (do they compile?) and at render time
(where did one fail?). Either way a problem names the template file and its line, never a
traceback (exit 2, nothing written)."""
from __future__ import annotations

from pathlib import Path

import jinja2

from ..errors import Problem
from ..inputs.user_templates import KEY, template_files
from ..resources import templates_dir

TEMPLATE_SUFFIX = ".j2"
STYLESHEET = "report.css"


def template_problems(folder: Path, shown: str, spec_file: str) -> list[Problem]:
    """Every template of the trial's folder that does not compile, and a stylesheet that is
    not UTF-8 text; `shown` is the folder as the spec names it."""
    from .render import environment

    env, problems = environment(folder), []
    for path in template_files(folder):
        name = path.relative_to(folder).as_posix()
        if not (name.endswith(TEMPLATE_SUFFIX) or name == STYLESHEET):
            continue
        where = f"{KEY}: {shown.rstrip('/')}/{name}"
        try:
            if name == STYLESHEET:
                path.read_text(encoding="utf-8")
            else:
                env.get_template(name)
        except UnicodeDecodeError:
            problems.append(Problem(spec_file, f"{where}: is not UTF-8 text"))
        except jinja2.TemplateSyntaxError as exc:
            problems.append(Problem(spec_file, f"{where}, line {exc.lineno}: {exc.message}"))
    return problems


def render_problem(exc: BaseException, folder: Path) -> Problem | None:
    """The problem a template's failure at render time is, naming the template file and
    line; None for a failure that is no template's (a fault of the program: raised as it is)."""
    frame = _innermost_template_frame(exc, folder)
    ours = frame is not None and Path(frame[0]).resolve().is_relative_to(folder.resolve())
    if not (isinstance(exc, jinja2.TemplateError) or ours):
        return None
    message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    where = f"{KEY} in trial.toml"
    if frame is None:
        return Problem(str(folder), f"{type(exc).__name__}: {message} ({where})")
    return Problem(frame[0], f"line {frame[1]}: {message} ({where}; Jinja's sandbox, strict undefined)")


def _innermost_template_frame(exc: BaseException, folder: Path) -> tuple[str, int] | None:
    """(file, line) of the deepest template in the traceback: Jinja gives template code
    frames named by the template's file and its line."""
    if isinstance(exc, jinja2.TemplateSyntaxError) and exc.filename:
        return exc.filename, exc.lineno
    roots = [folder.resolve(), templates_dir().resolve()]
    found, tb = None, exc.__traceback__
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if name.endswith(TEMPLATE_SUFFIX) and any(Path(name).resolve().is_relative_to(r) for r in roots):
            found = (name, tb.tb_lineno)
        tb = tb.tb_next
    return found
