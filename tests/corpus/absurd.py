"""Values no trial can have (issue 13, item 10): each is refused with exit code 2, naming
where it is and the limit, never an internal error."""
from __future__ import annotations

from conftest import MINIMAL_SPEC, SUBJECT_HEADER

from corpus import Case, event, events, patient, spec_with, subjects

WITH_ARM = [*SUBJECT_HEADER, "arm"]
TOXICITY = ('[[dsmb.stopping_rules]]\nkind = "beta-binomial"\nname = "Toxicity"\nthreshold = 0.3\nlimit = 0.8\n'
            "max_patients = 30\n")
ADAM_CSV_SPEC = MINIMAL_SPEC + '\n[source]\nkind = "adam"\n\n[adam]\nadtte = ""\n\n[adam.adverse_events]\ndataset = ""\n'
ADSL = ("USUBJID,TRT01A,ITTFL,SAFFL,RANDDT,DTHDT,LSTALVDT,AGE,SEX\n"
        "S1,A,Y,Y,2016-01-01,,2017-01-01,60,F\n"
        "S2,B,Y,Y,0001-01-01,,2017-02-01,61,M\n")


def arms(count: int) -> str:
    return subjects(*(patient(subject_id=f"P{i}", arm=f"Arm {i}") for i in range(count)), header=WITH_ARM)


def dsmb(lines: str) -> str:
    return MINIMAL_SPEC + "\n[dsmb]\n" + lines + "\n"


def trial_line(line: str) -> str:
    return MINIMAL_SPEC.replace('title = "A small test trial"', f'title = "A small test trial"\n{line}')


ABSURD = [
    Case("arms_200", {"subjects.csv": arms(200)},
         (("subjects.csv", "column arm", "200 arms; a report lays out at most 4"),)),
    Case("arms_5", {"subjects.csv": arms(5)}, (("subjects.csv", "column arm", "5 arms; a report lays out at most 4"),)),
    Case("arms_4_load", {"subjects.csv": arms(4)}, code=0),
    Case("landmark_1e300", {"trial.toml": MINIMAL_SPEC + "landmarks = [1e300]\n"},
         (("trial.toml", "analysis.landmarks", "1e+300 months is beyond 100 years (1200 months)"),)),
    Case("landmark_200_years_in_days", {"trial.toml": MINIMAL_SPEC + 'time_unit = "days"\nlandmarks = [73050]\n'},
         (("trial.toml", "analysis.landmarks", "73050 days is beyond 100 years (36525 days)"),)),
    Case("landmark_negative", {"trial.toml": MINIMAL_SPEC + "landmarks = [-6]\n"},
         (("trial.toml", "analysis.landmarks", "landmarks must be positive times"),)),
    Case("data_cutoff_9999_12_31", {"trial.toml": trial_line("data_cutoff = 9999-12-31")},
         (("trial.toml", "trial.data_cutoff", "9999-12-31 is outside the years 1900-2200"),)),
    Case("enrolled_in_year_1", {"subjects.csv": subjects(patient(enrolled_on="0001-01-01"))},
         (("subjects.csv", "row 2", "column enrolled_on", "'0001-01-01' is outside the years 1900-2200"),)),
    Case("died_in_year_3000", {"subjects.csv": subjects(patient(died_on="3000-01-01", last_contact_on="3000-01-01"))},
         (("subjects.csv", "row 2", "column died_on", "'3000-01-01' is outside the years 1900-2200"),
          ("subjects.csv", "row 2", "column last_contact_on", "'3000-01-01' is outside the years 1900-2200"))),
    Case("ae_onset_in_1899", {"adverse_events.csv": events(event(onset_on="1899-12-31"))},
         (("adverse_events.csv", "row 2", "column onset_on", "'1899-12-31' is outside the years 1900-2200"),)),
    Case("adam_csv_start_in_year_1", {"trial.toml": ADAM_CSV_SPEC, "adsl.csv": ADSL},
         (("adsl.csv", "row 3", "column RANDDT", "0001-01-01 is outside the years 1900-2200"),)),
    Case("early_death_days_1e20", {"trial.toml": MINIMAL_SPEC + "early_death_days = [1e20]\n"},
         (("trial.toml", "analysis.early_death_days.0", "1e+20 days is beyond 100 years (36525 days)"),)),
    Case("early_death_days_10_to_the_20", {"trial.toml": MINIMAL_SPEC + f"early_death_days = [{10**20}]\n"},
         (("trial.toml", "analysis.early_death_days.0", "1e+20 days is beyond 100 years (36525 days)"),)),
    Case("dsmb_early_death_days_10_to_the_20", {"trial.toml": dsmb(f"early_death_days = [28, {10**20}]")},
         (("trial.toml", "dsmb.early_death_days.1", "1e+20 days is beyond 100 years (36525 days)"),)),
    Case("toml_nested_100000_deep", {"trial.toml": "x = " + "[" * 100_000 + "]" * 100_000 + "\n"},
         (("trial.toml", "not valid TOML", "nested too deeply"),)),
    Case("confidence_1e_300", {"trial.toml": spec_with("confidence = 1e-300")},
         (("trial.toml", "analysis.confidence", "greater than or equal to 0.5"),)),
    Case("confidence_0_9999999", {"trial.toml": spec_with("confidence = 0.9999999")},
         (("trial.toml", "analysis.confidence", "less than or equal to 0.999"),)),
    Case("accrual_rate_1e300", {"trial.toml": dsmb("accrual_rate = 1e300")}, (("trial.toml", "dsmb.accrual_rate"),)),
    Case("planned_accrual_10_to_the_18", {"trial.toml": dsmb(f"planned_accrual = {10**18}")},
         (("trial.toml", "dsmb.planned_accrual"),)),
    Case("accrual_start_in_year_1", {"trial.toml": dsmb("accrual_start = 0001-01-01")},
         (("trial.toml", "dsmb.accrual_start", "0001-01-01 is outside the years 1900-2200"),)),
    Case("previous_cutoff_9999", {"trial.toml": dsmb("previous_cutoff = 9999-12-31")},
         (("trial.toml", "dsmb.previous_cutoff", "outside the years 1900-2200"),)),
    Case("prior_a_1e300", {"trial.toml": dsmb(TOXICITY.replace("max_patients", "prior_a = 1e300\nmax_patients"))},
         (("trial.toml", "dsmb.stopping_rules.0", "prior_a"),)),
    Case("max_patients_a_billion", {"trial.toml": dsmb(TOXICITY.replace("= 30", "= 1000000000"))},
         (("trial.toml", "dsmb.stopping_rules.0", "max_patients", "less than or equal to 10000"),)),
    Case("abstract_max_chars_10_to_the_20",
         {"trial.toml": MINIMAL_SPEC + f'\n[abstract]\nconclusion = "C."\n[abstract.limit]\nmax_chars = {10**20}\n'},
         (("trial.toml", "abstract.limit.max_chars"),)),
    Case("markup_in_spec_strings_loads",
         {"trial.toml": MINIMAL_SPEC.replace("A small test trial", "[/bold] A [red]trial").replace("Adults", "[/]")},
         code=0),
    Case("markup_in_a_cell_is_printed_as_it_is", {"subjects.csv": subjects(patient(age="[/bold]"))},
         (("subjects.csv", "row 2", "column age", "'[/bold]' is not a number"),)),
]
