"""One code path for single-arm and per-arm tables (issue 14, item 2): a table's layout takes the
groups (one per arm where the ledger has arms, then the total) and yields one table object; the
single-arm report's table is the same function's one-group form."""
from pathlib import Path

import pytest

import report
from report.blocks.block import Context
from report.blocks.catalogue import BLOCKS
from report.layout.tables import TOTAL, ArmTable, baseline_table, response_table, survival_table, total_groups

EXAMPLE_ADAM = Path(__file__).resolve().parents[1] / "data" / "adam-example"


@pytest.fixture(scope="module")
def arms_ledger() -> dict:
    return report.analyze(report.load_trial(EXAMPLE_ADAM)).to_dict()


def column(table: ArmTable, label: str, group: int) -> tuple[str, ...]:
    """The cells of `group` (its subcolumns) in the row labelled `label`."""
    row = next(r for r in table.rows if r.label == label)
    return row.cells[group * table.span:(group + 1) * table.span]


def test_the_single_arm_reports_tables_are_the_one_group_form_of_the_per_arm_layout(ledger, example_trial):
    view = BLOCKS["results"].layout(ledger, Context("summary", spec=example_trial.spec.model_dump(mode="json"))).view
    spec = example_trial.spec.model_dump(mode="json")
    assert view.response_table == response_table([(TOTAL, ledger)], ledger, spec)
    assert view.survival_table == survival_table([(TOTAL, ledger)], list(ledger["survival"]), ledger)
    assert view.response_table.columns == (TOTAL,) and not view.response_table.headed
    assert column(view.response_table, "Responders (CR or CRi)", 0) == ("19", "65.5", "45.7\u201382.1")
    assert column(view.survival_table, "Patients", 0) == ("29", "19")  # one group, the endpoints as its subcolumns


def test_a_per_arm_tables_total_column_is_what_the_one_group_form_prints(arms_ledger):
    groups = total_groups(arms_ledger)
    assert [name for name, _ in groups] == [*arms_ledger["arms"], TOTAL]
    for name in arms_ledger["survival"]:
        by_arm, alone = survival_table(groups, [name], arms_ledger), survival_table([(TOTAL, arms_ledger)], [name], arms_ledger)
        for label in ("Patients", "With event, n (%)", "Censored, n (%)"):
            assert column(by_arm, label, len(groups) - 1) == column(alone, label, 0), (name, label)
        median = next(r.label for r in by_arm.rows if r.label.startswith("Median"))
        assert column(by_arm, median, len(groups) - 1) == column(alone, median, 0)
    by_arm, alone = baseline_table(groups), baseline_table([(TOTAL, arms_ledger)])
    assert [r.label for r in by_arm.rows] == [r.label for r in alone.rows]
    assert [r.cells[-1] for r in by_arm.rows] == [r.cells[0] for r in alone.rows]


def test_the_dsmb_baseline_is_one_layout_open_and_by_arm(arms_ledger):
    closed = BLOCKS["baseline"].layout(arms_ledger, Context("dsmb-closed")).view.table
    opened = BLOCKS["baseline"].layout({k: v for k, v in arms_ledger.items() if k != "arms"},
                                       Context("dsmb-open", open=True)).view.table
    assert closed.columns == (*arms_ledger["arms"], TOTAL) and opened.columns == (TOTAL,)
    assert [r.cells[-1] for r in closed.rows] == [r.cells[0] for r in opened.rows]


def test_one_column_is_not_spread_over_the_page_and_a_short_table_moves_whole():
    from report.layout.tables import KEPT_ROWS, ArmTable, Row

    rows = tuple(Row(f"row {i}", ("1",)) for i in range(KEPT_ROWS))
    one = ArmTable(("Total",), ("N = 3",), ("",), rows)
    assert one.classes.split() == ["arms", "single", "keep", "fixed"]
    arms = ArmTable(("A", "B", "Total"), ("N = 1",) * 3, ("",), rows + (Row("one more", ("1",) * 3),))
    assert arms.classes == "arms fixed"  # three columns, and too long to move whole
    unheaded = ArmTable(("Total",), ("",), ("n", "%"), rows[:2], headed=False, css="arms single")
    assert unheaded.classes == "arms single keep fixed"  # "single" named once
    assert "fixed" not in ArmTable(("Total",), ("",), ("",), rows[:2], css="response").classes  # not by arm
    two_lines = rows[:-1] + (Row("rate", ("72.4%\n(64.0%\u201379.2%)",)),)  # as many rows, one line more
    assert "keep" not in ArmTable(("Total",), ("N = 3",), ("",), two_lines).classes.split()


def test_with_four_columns_of_figures_a_rates_ci_goes_on_its_own_line(arms_ledger):
    """Three arms and the total: "72.4% (64.0%-79.2%)" is wider than its column (it ran into the
    next in the PDF); two arms and the total keep it on one line."""
    three = {**arms_ledger, "arms": [*arms_ledger["arms"], "C"],
             "by_arm": {**arms_ledger["by_arm"], "C": arms_ledger["by_arm"][arms_ledger["arms"][0]]}}
    name = next(iter(arms_ledger["survival"]))
    for ledger, stacked in ((arms_ledger, False), (three, True)):
        table = survival_table(total_groups(ledger), [name], ledger)
        rates = [r for r in table.rows if r.label.endswith("rate, % (95% CI)")]
        assert rates and ("stacked" in table.classes.split()) == stacked
        for cell in rates[0].cells:
            estimate, ci = cell.split("\n") if stacked else cell.split(" ", 1)
            assert estimate.endswith("%") and ci.startswith("(") and " " not in ci


def test_a_landmark_past_every_groups_follow_up_is_left_out(arms_ledger):
    """DESIGN section 6: a landmark after the last follow-up is NE; where no group was followed that
    long the row says nothing and is left out (it printed "-" with 0 at risk), and where one was,
    the others print NE."""
    import copy

    name = next(iter(arms_ledger["survival"]))
    groups = total_groups(arms_ledger)
    landmarks = len(arms_ledger["survival"][name]["landmarks"])

    def rate_rows(ledger):
        return [r for r in survival_table(total_groups(ledger), [name], ledger).rows if "rate, %" in r.label]

    assert len(rate_rows(arms_ledger)) == landmarks
    past = copy.deepcopy(arms_ledger)
    for block in [past, *past["by_arm"].values()]:
        block["survival"][name]["landmarks"][-1]["survival"] = None
    assert len(rate_rows(past)) == landmarks - 1
    some = copy.deepcopy(arms_ledger)
    some["by_arm"][groups[0][0]]["survival"][name]["landmarks"][-1]["survival"] = None
    assert rate_rows(some)[-1].cells[0] == "NE" and len(rate_rows(some)) == landmarks
