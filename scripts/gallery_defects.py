"""Issue 19's defects and their evidence, for scripts/gallery.py's docs/report-gallery.md.

DEFECTS: (area, defect, evidence), evidence being tests (tests/<file>.py::<test>, each read and
asserting that defect), "pair:<name>" (a before-and-after pair of PAIRS, where only the eye can
judge), IN_PROGRESS (being fixed on another branch: replace it with its test or pair when merged)
or "no test found: ..." (said as it is). tests/test_gallery.py checks that every test named exists
and every pair named is in PAIRS.
"""
from __future__ import annotations

from dataclasses import dataclass

IN_PROGRESS = "in progress"


@dataclass(frozen=True)
class Crop:
    """A region of a gallery report's PDF: from page `page` (a number, or the first page holding
    that phrase), `pages` pages side by side, each cut from `top` to `bottom` (fractions of the page,
    or a phrase on the page found: its top, its bottom), at `dpi`."""
    report: str
    page: int | str
    top: float | str = 0.0
    bottom: float | str = 1.0
    pages: int = 1
    dpi: int = 60


@dataclass(frozen=True)
class Pair:
    """A defect only the eye can judge: the -before crop (from BEFORE_COMMIT's reports) and the -after."""
    name: str
    defect: str
    before: Crop | None
    after: Crop | None


OPEN = "dsmb-open-2018-07-31"
PAIRS = (
    Pair("running-header", "the DSMB running header wrapped its session label over two lines (OPEN SESSION / REPORT)",
         Crop(OPEN, 2, 0.0, 0.09, dpi=110), Crop(OPEN, 2, 0.0, 0.09, dpi=110)),
    Pair("consort", "the CONSORT diagram: a diagonal arrow to an unboxed list, On study hanging from Evaluable, "
         "no ineligibility reasons", Crop(OPEN, "Disposition.", 0.06, "Disposition.", dpi=90),
         Crop(OPEN, "Disposition.", 0.06, "Disposition.", dpi=90)),
    Pair("accrual", "a 41-row monthly accrual table for 31 patients over 1.5 pages; now by calendar quarter",
         Crop(OPEN, "Accrual by month", 0.0, 1.0, 2), Crop(OPEN, "Accrual by quarter", 0.0, 1.0, 2)),
    Pair("page-gaps", "summary pages left 40% empty where a figure moved to the next page", Crop("summary", 5, 0.0, 1.0, 2), Crop("summary", 5, 0.0, 1.0, 2)),
)

STRANDED = "tests/test_layout_checks.py::test_no_heading_stranded_at_the_foot_of_a_page"  # also table notes cut from their table and a lone last row
WORDING = "tests/test_summary_wording.py::test_the_summary_says_enrollment_names_ineligibility_and_defines_every_category"
STATUS = "tests/test_dsmb_status.py::"
CONTENTS = "tests/test_dsmb_contents.py::test_contents_list_every_section_with_its_page_and_the_header_fits_one_line"
DEFECTS = (
    ("Summary", "the Toxicity heading and its first sentence stranded at the foot of a page", (STRANDED,)),
    ("Summary", "a page 40% empty because a figure moved", (
        "pair:page-gaps", "tests/test_layout_checks.py::test_no_page_left_mostly_empty",
        "known: two pages of other reports still 42-43% blank (a short table kept whole), marked xfail(strict) there")),
    ("Summary", '"registration" and "enrollment" for the same thing', (WORDING,)),
    ("Summary", "the HTML has no embedded font and falls back to Arial", ("tests/test_render.py::test_html_is_standalone",)),
    ("Summary", 'the "No. at risk" label floats above its row with no row label', (
        "tests/test_figure_risk_rows.py::test_one_curve_names_its_row",
        "tests/test_figure_risk_rows.py::test_one_group_incidence_names_its_row")),
    ("Summary", "the response definitions omit PD although it is a row of the table", (WORDING,)),
    ("Summary", "the efficacy and safety populations said twice", (WORDING,)),
    ("Summary", "the reasons for the 2 ineligible patients never given", (WORDING,)),
    ("DSMB", "the running header wraps onto two lines on every page", (CONTENTS, "pair:running-header")),
    ("DSMB", "no table of contents or bookmarks", (CONTENTS,)),
    ("DSMB", "a 41-row monthly accrual table for 31 patients", (
        STATUS + "test_quarters_sum_the_months_and_end_with_their_cumulative_counts", "pair:accrual")),
    ("DSMB", '"Expected 31.0" patients with a decimal', (STATUS + "test_accrual_is_stated_complete_or_open_from_the_data",)),
    ("DSMB", 'the spec\'s "is enrolling" contradicts "31 of 31 planned enrolled" (accrual status from the data)',
     (STATUS + "test_accrual_is_stated_complete_or_open_from_the_data",)),
    ("DSMB", 'the CONSORT diagram: diagonal arrow to an unboxed list, "On study" hanging from "Evaluable", no '
     'ineligibility reasons, "Refractory disease: 8" overflowing its box in HTML',
     (STATUS + "test_the_consort_diagram_boxes_every_exclusion_with_its_reasons", "pair:consort")),
    ("DSMB", "a table's footnote split from its table", (STRANDED,)),
    ("DSMB", "one row alone on the last page", (STRANDED,)),
    ("All", "text overflowing its table cell or box in the HTML (Chromium)",
     ("tests/test_layout_checks.py::test_no_text_overflows_its_cell_or_box",)),
    ("All", "every figure with a caption; DESIGN section 6's formats in every report", (
        "tests/test_layout_checks.py::test_every_figure_has_a_caption",
        "tests/test_layout_checks.py::test_number_formats_of_design_section_6")),
    ("DSMB", '"Boundary reached" in red for an efficacy success reads like a stop',
     ("tests/test_stopping_layout.py::test_a_success_and_a_stop_never_share_a_verdict_or_its_colour",)),
    ("DSMB", "the safety rule's boundary table does not say how aggressive its early boundary is", (
        "tests/test_stopping_characteristics.py::test_the_closed_report_says_how_aggressive_the_early_boundary_is",
        "tests/test_stopping_characteristics.py::test_the_recursion_equals_brute_force_over_every_sequence")),
    ("DSMB", '"changes since the previous report" covers safety only, not efficacy (closed report)', (
        "tests/test_dsmb_efficacy_changes.py::test_the_closed_report_lists_them_then_and_now",
        "tests/test_dsmb_efficacy_changes.py::test_the_open_ledger_and_page_show_no_efficacy_change")),
    ("Multi-arm", "arms told apart only by black dash styles",
     ("tests/test_survival_figures_arms.py::test_arms_differ_in_colour_and_in_line_style",)),
    ("Multi-arm", "censor ticks merge into solid bars", (
        "tests/test_figure_risk_rows.py::test_large_arms_every_curve_keeps_its_censor_ticks_apart",)),
    ("Multi-arm", 'a 24-month landmark row prints "-" with 0 at risk',
     ("tests/test_tables_one_path.py::test_a_landmark_past_every_groups_follow_up_is_left_out",)),
    ("Multi-arm", 'CI formats differ between reports ("64.0%-79.2%" and "59.6-90.1")',
     ("no test found that compares the reports' CI formats",)),
    ("Multi-arm", '"NR" and "Not reached" both used', ("no test found",)),
    ("Multi-arm", 'AE tables by arm dominated by "0 (0.0%)" rows: show zero as "0"',
     ("tests/test_block_ae_tables.py::test_the_overview_table",)),
    ("Multi-arm", "AE tables by arm: sort by incidence", (
        "tests/test_ae_order.py::test_the_soc_table_by_arm_sorts_by_incidence_ties_alphabetically",
        "tests/test_ae_order.py::test_the_worst_grade_table_by_arm_sorts_and_leaves_out_grades_nobody_has")),
    ("Multi-arm", "the cumulative incidence figure cut its arms' end labels at its right edge (found in this review, "
     "large three-arm trial)", ("tests/test_survival_figures_arms.py::test_cif_end_labels_stay_inside_the_figure_with_long_arm_names",)),
    ("Multi-arm", "a rate and its CI ran into the next cell with three arms and the total (found in this review)",
     ("tests/test_tables_one_path.py::test_with_four_columns_of_figures_a_rates_ci_goes_on_its_own_line",)),
    ("Abstract", "the ASCO table has no header row",
     ("tests/test_abstract.py::test_the_table_has_a_header_row_counted_with_it",)),
    ("Abstract", "the ASCO table repeats the text",
     ("tests/test_abstract.py::test_with_a_table_the_text_does_not_repeat_its_numbers",)),
    ("Abstract", "the Word abstract is US Letter while the PDF is A4",
     ("tests/test_paper.py::test_the_word_abstract_is_on_the_spec_paper",)),
    ("Abstract", "every paragraph of the Word abstract in Normal style",
     ("tests/test_abstract.py::test_the_word_abstract_has_its_title_styled_and_each_part_headed",)),
    ("Abstract", 'the title hyphenates "B-/Cell"',
     ("tests/test_render.py::test_a_title_never_breaks_inside_a_short_hyphenated_term",)),
    ("Abstract", 'mixed precision ("64%-99.8%")', ("tests/test_abstract.py::test_a_ci_prints_both_limits_to_the_same_precision",)),
    ("CLI", "no progress during a build of 5-30 s", ("tests/test_cli_progress.py::test_a_terminal_sees_each_stage_named",
                                                      "tests/test_cli_progress.py::test_a_pipe_sees_no_progress")),
    ("CLI", "`watch` defaults to the current folder while `build` defaults to the example", (
        "tests/test_cli_defaults.py::test_build_analyze_and_validate_take_this_folder_where_it_holds_a_trial",
        "tests/test_cli_defaults.py::test_without_a_trial_here_they_take_the_bundled_example",
        "tests/test_cli_defaults.py::test_watch_takes_this_folder_too")),
    ("CLI", "`archive list` shows neither the cutoff nor the files nor the status",
     ("tests/test_archive.py::test_archive_list_shows_cutoff_status_and_files",)),
    ("CLI", "`send` has no `--dry-run` that shows who would receive what",
     ("tests/test_send_cli.py::test_a_dry_run_says_who_would_receive_what_and_sends_nothing",)),
)
