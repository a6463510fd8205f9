"""`methods.variables` in the ledger: each of the pipeline's columns as the source names it,
so that ard.csv (DESIGN section 7a) names the analysed variables as the data do (`AGE`,
`TRT01A`, `AEDECOD` for ADaM input; the tidy column names for tidy input)."""
from __future__ import annotations

from ..inputs.spec import Spec

# The pipeline's columns a figure of the ledger is computed from (report.inputs.derive).
COLUMNS = ("subject_id", "arm", "age", "sex", "eligible", "treated", "efficacy", "safety", "enrolled_on",
           "best_response", "response_cycle", "mrd", "died_on", "death_cause", "endpoint", "days", "event",
           "term", "soc", "grade", "serious", "attribution", "onset_on", "off_study_reason", "lab_test", "lab_grade",
           "treatment", "itt", "treatment_emergent")

# Columns whose tidy file names them otherwise (labs.csv: `test`, `grade`).
TIDY = {"lab_test": "test", "lab_grade": "grade"}


def source_variables(spec: Spec, grading: str) -> dict[str, str]:
    """Each column of COLUMNS as the source names it: itself for tidy data; for ADaM input,
    the variable the spec's `[adam]` mapping reads it from (the grade: AETOXGR, or AESEV
    where the trial is graded by severity). A column the source does not hold (tidy input's
    derived populations, `itt` and `efficacy`; ADaM without a treatment-emergent flag) is named as itself."""
    if spec.source.kind != "adam":
        return {column: TIDY.get(column, column) for column in COLUMNS}
    m, ae = spec.adam, spec.adam.adverse_events
    named = {
        "subject_id": m.subject, "arm": m.arm, "age": "AGE", "sex": "SEX", "efficacy": m.efficacy_flag,
        "safety": m.safety_flag, "enrolled_on": m.start[0], "best_response": "AVALC", "died_on": m.death_date,
        "death_cause": m.death_cause, "endpoint": "PARAMCD", "days": "AVAL", "event": "CNSR", "term": ae.term,
        "soc": ae.soc, "grade": ae.grade if grading == "ctcae" else ae.severity, "serious": ae.serious,
        "attribution": ae.related, "onset_on": ae.onset, "lab_test": m.labs.test, "lab_grade": m.labs.grade,
        "treatment": m.exposure.treatment or "EXTRT",  # the exposure's treatment (ard.csv's group2)
        "itt": m.itt_flag,  # ars.json's analysis sets
        **({"treatment_emergent": ae.treatment_emergent} if ae.treatment_emergent else {}),  # ars.json's data subset
    }
    return {column: named[column].upper() if column in named else column for column in COLUMNS}
