"""The ARS methods and their operations, named after what they compute, for the rows of ard.csv.

A row's method follows from its `context` (the kind of analysis) and, for a comparison, from
the test its `variable_level` names (`anova`, `chisq`, `log-rank`, ...); each `stat_name` of
{cards}' vocabulary is one operation of the method. A context or statistic not listed here
(a block added later) still gets a method and an operation, named by the row's own words.
"""
from __future__ import annotations

# context -> (name, description, with the R function that computes it)
CONTEXTS = {
    "continuous": ("Descriptive statistics of a continuous variable",
                   "Per group: patients, patients with a value, mean, standard deviation, median, quartiles, "
                   "minimum and maximum (R: length, mean, sd, median, quantile with the type the table names, min, max)."),
    "categorical": ("Patients by category",
                    "Patients in each category (n), patients of the column (N) and n/N (R: table, prop.table)."),
    "count": ("Patients counted", "Patients of each population (R: nrow of the population)."),
    "hierarchical": ("Patients with an event, by level of a hierarchy",
                     "Patients with at least one event of the organ class or term (n), n/N of the column's population "
                     "and the number of events (R: length(unique(subject)) and nrow per level)."),
    "hierarchical_worst_grade": ("Patients by the worst grade of a term",
                                 "Patients by the worst grade of their events of one term, n and n/N "
                                 "(R: table of the per-patient maximum grade)."),
    "worst_grade": ("Patients by worst grade", "Patients by the worst grade of any of their events (R: table of max grade)."),
    "safety": ("Patients in the safety population", "Patients who received any treatment (R: nrow)."),
    "safety_overview": ("Patients with adverse events, overview",
                        "Patients with any, severe (grade 3 or more) and serious events: n, n/N and events (R: length(unique(subject)))."),
    "leading_grade_3_plus": ("Most frequent grade 3 or higher events",
                             "Patients with a grade 3 or higher event of each of the most frequent terms, n and n/N."),
    "deaths": ("Deaths", "Patients who died, all and within each early-death window (R: sum of dates within the window)."),
    "dsmb_deaths": ("Early deaths", "Patients who died within each early-death window (R: sum of dates within the window)."),
    "proportion": ("Binomial proportion with a confidence interval",
                   "n/N with its confidence interval by the method the result `method` names "
                   "(exact Clopper-Pearson: R binom.test; Wilson score: prop.test(correct = FALSE))."),
    "survival": ("Kaplan-Meier estimate: patients, events and censored",
                 "Patients, events and censored times of a time-to-event endpoint (R: survival::survfit)."),
    "survival_quantile": ("Kaplan-Meier quantile of time to event",
                          "Median and quartiles of the time to event with confidence intervals "
                          "(R: quantile(survival::survfit(...), probs), conf.type as in the methods)."),
    "survival_landmark": ("Kaplan-Meier estimate at a landmark time",
                          "S(t) with its confidence interval and the patients at risk (R: summary(survfit, times = t))."),
    "risk_table": ("Patients at risk", "Patients at risk at each time of the risk table (R: summary(survfit, times)$n.risk)."),
    "followup": ("Follow-up", "Median follow-up by the reverse Kaplan-Meier method (R: survfit with the event indicator "
                 "reversed); shortest and longest observed times."),
    "landmark_difference": ("Difference of Kaplan-Meier estimates at a landmark time",
                            "Each arm's S(t) minus the reference's, Greenwood standard errors, normal confidence "
                            "interval and z-test (R: summary(survfit, times = t)$std.err)."),
    "response_counts": ("Responders against the reference arm", "Responders and patients of an arm and of the reference arm."),
    "rate_difference": ("Difference of response rates",
                        "An arm's response rate minus the reference's, by the method the result `method` names "
                        "(R: prop.test)."),
    "odds_ratio": ("Odds ratio of response", "An arm's odds of response over the reference's, by the method the result "
                   "`method` names (R: fisher.test for the conditional estimate)."),
    "cmh": ("Cochran-Mantel-Haenszel test", "Stratified test and Mantel-Haenszel odds ratio with the Robins-Breslow-"
            "Greenland interval (R: mantelhaen.test)."),
    "competing_risks": ("Cumulative incidence with competing risks",
                        "Aalen-Johansen estimate of the cumulative incidence (R: cmprsk::cuminc)."),
    "shift": ("Shift from baseline grade", "Patients by baseline grade and worst grade on study (R: table(baseline, worst))."),
    "accrual": ("Accrual", "Patients enrolled by month, cumulative, and as planned (R: table of the enrolment month)."),
    "disposition": ("Disposition", "Patients by disposition status and off-study reason (R: table)."),
    "dsmb_overview": ("Adverse events, overview for the DSMB",
                      "Patients with any, grade 3 or higher, grade 5, serious and related events: n, n/N and events."),
    "swimmer": ("Patients shown", "Patients of the swimmer plot (R: nrow)."),
}

# A comparison's test, as its row's `variable_level` names it -> (name, description)
TESTS = {
    "anova": ("One-way analysis of variance", "F test of equal means across the arms (R: anova(lm(value ~ arm)))."),
    "kruskal": ("Kruskal-Wallis rank sum test", "Rank test of equal distributions across the arms (R: kruskal.test)."),
    "chisq": ("Pearson's chi-square test", "No continuity correction (R: chisq.test(table, correct = FALSE))."),
    "fisher": ("Fisher's exact test", "Two-sided (R: fisher.test)."),
    "log-rank": ("Log-rank test", "Equal survival across the arms (R: survival::survdiff)."),
    "likelihood_ratio": ("Cox model likelihood-ratio test", "R: summary(survival::coxph(...))$logtest."),
    "wald": ("Cox model Wald test", "R: summary(survival::coxph(...))$waldtest."),
    "score": ("Cox model score (log-rank) test", "R: summary(survival::coxph(...))$sctest."),
    "interaction": ("Arm-by-subgroup interaction test", "Likelihood-ratio test of the arm-by-subgroup interaction "
                    "in a Cox model (R: anova of survival::coxph with and without arm:subgroup)."),
    "hazard_ratio": ("Cox proportional hazards model: hazard ratio", "An arm's hazard ratio against the reference arm, "
                     "its Wald confidence interval and p-value (R: survival::coxph, exp(coef), confint)."),
    "fisher_vs_reference": ("Fisher's exact test against the reference arm",
                            "Patients with the event in an arm against the reference arm, two-sided (R: fisher.test)."),
}

# stat_name ({cards}' vocabulary) -> (operation name, R)
STATS = {
    "N": ("Patients of the column (denominator)", "nrow"), "n": ("Patients counted", "sum"),
    "p": ("Proportion of patients (n / N)", "n / N"), "n.event": ("Events", "sum(event)"),
    "n_events": ("Events", "nrow of the events"), "mean": ("Mean", "mean"), "sd": ("Standard deviation", "sd"),
    "median": ("Median", "median"), "p25": ("First quartile", "quantile(probs = 0.25)"),
    "p75": ("Third quartile", "quantile(probs = 0.75)"), "min": ("Minimum", "min"), "max": ("Maximum", "max"),
    "N_nonmiss": ("Patients with a value", "sum(!is.na(x))"), "N_miss": ("Patients without a value", "sum(is.na(x))"),
    "p_miss": ("Proportion of patients without a value", "mean(is.na(x))"),
    "statistic": ("Test statistic", "statistic"), "parameter": ("Degrees of freedom", "parameter"),
    "df": ("Degrees of freedom", "df"), "df.residual": ("Residual degrees of freedom", "df.residual"),
    "p.value": ("p-value", "p.value"), "estimate": ("Estimate", "estimate"),
    "conf.low": ("Lower confidence limit", "conf.int[1]"), "conf.high": ("Upper confidence limit", "conf.int[2]"),
    "conf.level": ("Confidence level", "conf.level"), "method": ("Method", "method"), "strata": ("Strata", "strata"),
    "n.risk": ("Patients at risk", "n.risk"), "n.censor": ("Censored patients", "n.censor"),
    "p.event": ("Proportion of patients with an event", "n.event / N"),
    "p.censor": ("Proportion of patients censored", "n.censor / N"), "surv": ("Survival estimate S(t)", "surv"),
    "std.error": ("Standard error of S(t)", "std.err"), "surv.reference": ("Reference arm's S(t)", "surv"),
    "std.error.reference": ("Standard error of the reference arm's S(t)", "std.err"),
    "n.reference": ("Responders of the reference arm", "sum"), "N.reference": ("Patients of the reference arm", "nrow"),
    "n.competing": ("Competing events", "sum"),
}
# The stat_names whose value is text, not a number (a method's or the strata's name).
TEXT_STATS = frozenset({"method", "strata"})

AE_BLOCKS = frozenset({"ae_overview", "ae_soc_pt", "ae_worst_grade", "aesi"})
COMPARISONS = frozenset({"comparison", "rate_difference", "odds_ratio", "cmh", "response_counts"})
TIMES = frozenset({"survival_landmark", "risk_table", "landmark_difference", "accrual", "competing_risks"})


def level_role(row: dict) -> str:
    """What a row's `variable_level` is: a `test` (or contrast) of a comparison, a `time`, a
    `quantile`, or a `category` of the variable (the default)."""
    context, level = row["context"], row["variable_level"]
    if context == "survival_quantile":
        return "quantile"
    if context in TIMES:
        return "time"
    if context in COMPARISONS and level and (level in TESTS or (row["block"] not in AE_BLOCKS | {"forest"})):
        return "test"
    return "category"


def method_key(row: dict) -> str:
    """The row's method: the test a comparison names, else its context."""
    if row["context"] != "comparison":
        return row["context"]
    level = row["variable_level"]
    if level in TESTS:
        return level
    return "fisher_vs_reference" if row["block"] in AE_BLOCKS else "hazard_ratio"


def method_words(key: str) -> tuple[str, str]:
    """(name, description) of a method key; a key not listed is named by itself."""
    if key in TESTS:
        return TESTS[key]
    return CONTEXTS.get(key, (f"Analysis: {key}", f"The figures of ard.csv's context {key!r}."))


def operation_words(stat_name: str, method_name: str) -> tuple[str, str]:
    """(name, description) of an operation: what it computes, its method and the R that computes it."""
    name, r = STATS.get(stat_name, (stat_name, stat_name))
    return name, f"{name} ({stat_name} in ard.csv) of the method {method_name}; R: {r}."
