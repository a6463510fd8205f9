"""A Block: one unit of a report's content, and what its layout hands the page template."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Iterable

if TYPE_CHECKING:
    from ..analysis.group import Group
    from ..layout.ard import Stat

Figures = Callable[[dict], dict[str, str]]


@dataclass(frozen=True)
class Context:
    """Where a block is laid out: the page ("summary", "dsmb-open", "dsmb-closed", "abstract"), and
    whether it is the open DSMB report (then never by arm, whatever the ledger holds)."""
    page: str
    open: bool = False
    spec: dict | None = field(default=None, compare=False)  # the trial spec (as JSON), for the views' wording
    # The user's text of this page's sections ([narrative]), rendered against its ledger:
    # section -> report.layout.narrative.Written.
    written: dict | None = field(default=None, compare=False)
    blocks: tuple[str, ...] = field(default=(), compare=False)  # the page's block ids, in order (its contents)


@dataclass(frozen=True)
class Laid:
    """A block laid out for one ledger: the partial the page includes, or None where the
    block has nothing to show for this ledger (the page keeps its line, nothing else).
    `view`: the values the partial prints, prepared by the block's layout (report.layout),
    or None for a block whose partial prints only the spec's text."""
    id: str
    partial: str | None
    view: object = None
    text: object = None  # the user's text of the block's section (Markup), in place of the generated prose; or None


def always(ledger: dict, context: Context) -> bool:
    return True


@dataclass(frozen=True)
class Block:
    """One section of a report.

    `keys`: the ledger keys it shows. `open_safe`: whether it may appear in the open DSMB
    report (DESIGN section 9: no efficacy, nothing by arm). `partial`: the template it
    renders with; `arms_partial` the one used where the ledger has arms (one block, two
    forms of its table). `figures`: draws the block's figures from the ledger. `shown`:
    whether the block has anything to show for this ledger on this page. `compute`: the
    block's own ledger part, a pure function of one group of patients (report.analysis.group;
    a `Part` declares what it reads, for its input hash), run for the total and each arm:
    its result is the ledger's `<id>` and `by_arm.<arm>.<id>`. `view`: lays out from the
    ledger what the partial prints (e.g. a report.layout.tables.ArmTable), as `b.view`. `pages`: the only
    pages that may take it (None: any page whose ledger holds its keys). `ard`: the rows of
    `ard.csv` (DESIGN section 7a) for one group's part of the ledger: `ard(part, ledger)`,
    called for the total's part and each arm's; the writer adds `group1`, `group1_level` and `block`.
    """
    id: str
    title: str
    keys: tuple[str, ...]
    open_safe: bool
    partial: str
    arms_partial: str | None = None
    figures: Figures | None = None
    shown: Callable[[dict, Context], bool] = always
    compute: Callable[[Group], object] | None = None
    view: Callable[[dict, Context], object] | None = None
    pages: tuple[str, ...] | None = None
    ard: Callable[[dict, dict], Iterable[Stat]] | None = None
    narrative: str | None = None  # the [narrative] section whose text, where the user writes one, replaces its prose

    def partial_for(self, ledger: dict, context: Context) -> str | None:
        """The partial this ledger needs on this page (None: nothing to show)."""
        if not self.shown(ledger, context):
            return None
        if ledger.get("arms") and self.arms_partial and not context.open:
            return self.arms_partial
        return self.partial

    def layout(self, ledger: dict, context: Context) -> Laid:
        """The partial this ledger needs on this page, with the values it prints."""
        partial = self.partial_for(ledger, context)
        written = (context.written or {}).get(self.narrative) if self.narrative else None
        text = written.html if written is not None else None
        if partial is None or self.view is None:
            return Laid(self.id, partial, None, text)
        return Laid(self.id, partial, self.view(ledger, context), text)

    def drawn(self, ledger: dict, context: Context) -> dict[str, str]:
        """The block's figures for this ledger, where it shows any, drawn from `seen(ledger)`."""
        if self.figures is None or not self.shown(ledger, context):
            return {}
        return self.figures(self.seen(ledger))

    def seen(self, ledger: dict) -> dict:
        """The ledger as this block's figures see it: the parts with an input hash that the block
        does not name in `keys` left out, for all patients and by arm. Its figures are a function
        of this alone, so `watch` redraws them only when it changes (report.kinds.kind.figures)."""
        hidden = set(ledger.get("input_hashes") or ()) - set(self.keys)
        if not hidden:
            return ledger
        seen = {key: value for key, value in ledger.items() if key not in hidden and key != "input_hashes"}
        if isinstance(seen.get("by_arm"), dict):
            seen["by_arm"] = {arm: {key: value for key, value in part.items() if key not in hidden}
                              for arm, part in seen["by_arm"].items()}
        return seen
