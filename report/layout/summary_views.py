"""What the summary's blocks print, prepared from the ledger: key results, study, results,
toxicity, next steps and methods (single-arm and by arm). Templates only print these."""
from __future__ import annotations

from dataclasses import dataclass

from .formatting import confidence_label, month_year, number, percent, setting
from ..stats.rates import P_VALUES
from .tables import ArmTable, baseline_table, response_table, survival_table, total_groups
from .wording import (KM_SCALE, Range, Share, listed, p_clause, plural, sex_label, share,
                      unit_singular)


@dataclass(frozen=True)
class Key:
    value: str
    label: str
    detail: str


@dataclass(frozen=True)
class KeyResults:
    response: Share | None
    responders: str  # "CR or CRi"
    after_first_cycle: Key | None
    mrd: Key | None
    survival: tuple[Key, ...]
    deaths: Key


def key_results_view(ledger: dict, context) -> KeyResults:
    response, mrd = ledger["response"], ledger["mrd"]
    after = _after_first_cycle(ledger)
    window = ledger["methods"]["early_death_days"][0]
    return KeyResults(
        response=share(response["responders"]) if response else None,
        responders=" or ".join(response["responder_codes"]) if response else "",
        after_first_cycle=Key(f"{after['count']} of {after['n']}", "", percent(after["proportion"])) if after else None,
        mrd=Key(percent(mrd["negative"]["proportion"]), "", f"{mrd['negative']['count']} of {mrd['negative']['n']}")
        if _mrd(ledger) else None,
        survival=tuple(Key(" \u00b7 ".join(percent(lm["survival"]) for lm in block["landmarks"]),
                           ledger["endpoints"][name]["label"],
                           f"{listed(setting(lm['time'], 0) for lm in block['landmarks'])} {block['time_unit']}")
                       for name, block in ledger["survival"].items()),
        deaths=Key(str(ledger["safety"]["deaths"]["early"][str(window)]), f"deaths within {window} days",
                   f"of {ledger['safety']['n']} treated patients"),
    )


def _after_first_cycle(ledger: dict) -> dict | None:
    after = (ledger["response"] or {}).get("after_first_cycle")
    return after if after and after["n"] else None


def _mrd(ledger: dict) -> dict | None:
    mrd = ledger.get("mrd")
    return mrd if mrd and mrd["negative"]["n"] else None


@dataclass(frozen=True)
class Age:
    median: str
    range: Range


@dataclass(frozen=True)
class Study:
    definitions: tuple[tuple[str, str, str], ...]  # (code, label in lower case, definition) with a definition
    enrolled: str  # the sentence on enrollment, without its final words
    arms: bool
    baseline: ArmTable | None
    age: Age | None
    sexes: str  # "; 13 (45%) female, 16 (55%) male" (its leading "; " after an age)
    baseline_end: str  # "." after age or sex, else ""
    excluded: str  # the sentences on arms excluded by the spec, or ""


def study_view(ledger: dict, context) -> Study:
    spec = context.spec or {}
    definitions = tuple((d["code"], d["label"].lower(), d.get("definition") or "")
                        for d in (spec.get("study") or {}).get("response_definitions") or [])
    arms = bool(ledger["arms"])
    age = ledger["baseline"]["age"] if not arms else None
    age = Age(number(age["median"], 0), Range(number(age["minimum"], 0), number(age["maximum"], 0))) \
        if age and age["n"] else None
    sexes = (ledger["baseline"]["sex"] or {}) if not arms else {}
    sex_text = ", ".join(f"{s['count']} ({percent(s['proportion'])}) {sex_label(code).lower()}" for code, s in sexes.items())
    return Study(
        definitions=definitions, enrolled=_enrolled(ledger), arms=arms,
        baseline=baseline_table(total_groups(ledger)) if arms else None,
        age=age, sexes=(("; " if age else "") + sex_text) if sex_text else "",
        baseline_end="." if age or sexes else "",
        excluded=" ".join(_excluded(arm, count) for arm, count in ledger["excluded_arms"].items() if count),
    )


def _enrolled(ledger: dict) -> str:
    accrual, population = ledger["accrual"], ledger["population"]
    opening = (f"Between {month_year(accrual['first_enrolled_on'])} and {month_year(accrual['last_enrolled_on'])}, "
               f"{population['enrolled']} patients were enrolled")
    if ledger["arms"]:
        each = [f"{ledger['by_arm'][arm]['population']['enrolled']} to {arm}" for arm in ledger["arms"]]
        return (f"{opening}: {listed(each)}. The efficacy population has {population['evaluable']} patients and the "
                f"safety population {population['safety']}.")
    kinds, efficacy, safety = ledger["methods"]["populations"], population["evaluable"], population["safety"]
    if efficacy == safety:
        populations = (f"The efficacy population (patients who {kinds['efficacy']}) and the safety population "
                       f"(patients who {kinds['safety']}) have {efficacy} patients each.")
    else:
        populations = (f"The efficacy population has {efficacy} patients (those who {kinds['efficacy']}) and the "
                       f"safety population {safety} (those who {kinds['safety']}).")
    return f"{opening}{_ineligible(ledger.get('disposition'))}. {populations}"


def _ineligible(disposition: dict | None) -> str:
    """"; 2 were ineligible (reason; reason)", where the data say how many and why."""
    if not disposition or not disposition.get("ineligible") or not disposition["ineligible"]["count"]:
        return ""
    count, reasons = disposition["ineligible"]["count"], disposition.get("ineligible_reasons")
    why = []
    if reasons:
        why = [f"{_lower_first(name)}, {r['count']}" if r["count"] > 1 else _lower_first(name)
               for name, r in reasons["named"].items()]
        if reasons["not_recorded"]["count"]:
            why.append(f"reason not recorded, {reasons['not_recorded']['count']}")
    return f"; {count} {'was' if count == 1 else 'were'} found ineligible" + (f" ({'; '.join(why)})" if why else "")


def _lower_first(text: str) -> str:
    """A reason inside a sentence: its first letter lower case, unless it opens an acronym ("BCR-ABL1")."""
    return text if text[:2].isupper() else text[:1].lower() + text[1:]


def _excluded(arm: str, count: int) -> str:
    many = count != 1
    return (f"{count} {plural(count, 'patient')} of the arm {arm} {'are' if many else 'is'} excluded from this report, "
            f"as the trial spec asks (exclude_arms): {'they are' if many else 'the patient is'} in none of its figures.")


@dataclass(frozen=True)
class Endpoint:
    name: str
    label: str
    figure: str  # the key of its figure
    sentence: str  # after the label and its footnote mark, without the final full stop
    among: str  # " among responders" where not the efficacy population
    origin: str
    level: str
    conf_type: str
    arms_prose: str  # by arm: "A, 10 events in 20 patients, median 5.0 months; B, ..." (an arm label may hold a colon)
    log_rank: str  # by arm: the chi-square's "1.23, 1 df, p = 0.267", or ""
    log_rank_name: str  # "Log-rank test", or "Stratified log-rank test"
    table: ArmTable | None
    caption: str
    note: str
    delivered: str = ""  # for a figure's caption: "Data as delivered; ..." where the cutoff could not cut the endpoint


@dataclass(frozen=True)
class Results:
    response: Share | None
    responders: str  # "CR or CRi"
    achieved: str  # "11 CR and 8 CRi"
    after_first_cycle: str  # "8 of the 19 responders (42%)", or ""
    mrd: Share | None
    mrd_assessed: str
    response_table: ArmTable | None
    response_caption: str
    response_note: str
    arms_response: tuple[tuple[str, Share], ...]  # by arm: (arm, its responders)
    followup: str  # "21.4 months"
    events: str  # "16 of 29 patients had died"
    endpoints: tuple[Endpoint, ...]
    survival_table: ArmTable | None
    survival_caption: str
    survival_note: str


def results_view(ledger: dict, context) -> Results:
    response, unit = ledger["response"], ledger["methods"]["time_unit"]
    groups = total_groups(ledger)
    arms = bool(ledger["arms"])
    names = list(ledger["survival"])
    first = ledger["survival"][names[0]] if names else None
    level = confidence_label(ledger["methods"]["confidence"])
    return Results(
        response=share(response["responders"]) if response else None,
        responders=" or ".join(response["responder_codes"]) if response else "",
        achieved=listed(f"{response['categories'][c]['count']} {c}" for c in response["responder_codes"]) if response else "",
        after_first_cycle=_after_sentence(ledger),
        mrd=share(_mrd(ledger)["negative"]) if _mrd(ledger) else None,
        mrd_assessed=str(_mrd(ledger)["assessed"]) if _mrd(ledger) else "",
        # one function for one group and for a column per arm; by arm the categories keep their codes, as published
        response_table=response_table(groups, ledger, None if arms else context.spec) if response else None,
        response_caption=("Best response by arm, efficacy population" if arms else
                          f"Best response, efficacy population (N = {response['responders']['n']})") if response else "",
        response_note=(f"Percentages of each arm's efficacy population; {level} CIs by the "
                       f"{ledger['methods']['proportion_ci_name']} method." + _response_comparison_note(ledger)
                       if arms else _response_note(ledger))
        if response else "",
        arms_response=tuple((arm, share(ledger["by_arm"][arm]["response"]["responders"])) for arm in ledger["arms"])
        if response else (),
        followup=f"{number(first['median_followup'])} {unit}" if first else "",
        events=f"{first['events']} of {first['n']} patients had {'died' if names[0] == 'os' else 'an event'}" if first else "",
        endpoints=tuple(_endpoint(name, ledger, groups) for name in names),
        survival_table=survival_table(groups, names, ledger) if names and not arms else None,
        survival_caption=f"Time-to-event endpoints ({unit})",
        survival_note="; ".join(f"{e['label']}: from {e['origin']}, {e['population']}{_as_delivered(e, ' (', ')')}"
                                for e in (ledger["endpoints"][n] for n in names)) + ". NR: not reached; NE: not estimable.",
    )


def _after_sentence(ledger: dict) -> str:
    after = _after_first_cycle(ledger)
    if not after:
        return ""
    return f"{after['count']} of the {after['n']} responders ({percent(after['proportion'])}) responded after the first cycle."


def _response_note(ledger: dict) -> str:
    after, mrd = _after_first_cycle(ledger), _mrd(ledger)
    note = "Percentages of the efficacy population"
    if after or mrd:
        note += ", except where a row names another denominator"
        if after:
            note += f": {after['n']} responders"
        if mrd:
            note += f"; {mrd['negative']['n']} responders with an MRD result ({mrd['not_assessed']} not assessed)"
    return note + "."


def _endpoint(name: str, ledger: dict, groups: list) -> Endpoint:
    e, block, unit = ledger["endpoints"][name], ledger["survival"][name], ledger["methods"]["time_unit"]
    whole = e["population"] == "efficacy population"
    among = "" if whole else f" among {e['population']}"
    lands = listed(f"{percent(lm['survival'])} at {setting(lm['time'], 0)} {block['time_unit']}" for lm in block["landmarks"])
    who = "" if whole else f" among the {block['n']} {e['population']}"
    sentence = f"{who}, from {e['origin']}, was {lands}; median {_median(block, unit)}"
    arms = ledger["arms"]
    log_rank = (ledger["comparisons"].get(name) or {}).get("log_rank") if arms else None
    return Endpoint(
        name=name, label=e["label"], figure=f"km-{name}", sentence=sentence, among=among, origin=e["origin"],
        level=confidence_label(block["confidence"]), conf_type=block["conf_type"],
        arms_prose="; ".join(f"{arm}, {b['events']} events in {b['n']} patients, median {_median(b, unit)}"
                             for arm, b in ((a, ledger["by_arm"][a]["survival"][name]) for a in arms)) + "." if arms else "",
        log_rank_name=("Stratified log-rank test" if (ledger["comparisons"].get(name) or {}).get("stratified_by")
                       else "Log-rank test"),
        log_rank=(f"{number(log_rank['chi_square'], 2)}, {log_rank['df']} df, "
                  f"p {p_clause(log_rank['p_value'])}") if log_rank else "",
        table=survival_table(groups, [name], ledger) if arms else None,
        caption=f"{e['label']} by arm ({unit})",
        note=(f"From {e['origin']}, {e['population']}{_as_delivered(e, '; ', '')}. Hazard ratios against {arms[0]} "
              f"from a Cox model (Efron ties{_strata_clause(ledger['comparisons'].get(name) or {})}), Wald CI and p-value"
              f"{_overall_tests(ledger['comparisons'].get(name) or {})}{_landmark_clause(ledger, name)}. "
              "NR: not reached; NE: not estimable.")
        if arms else "",
        delivered=_as_delivered(e, "", ".").capitalize(),
    )


def _as_delivered(endpoint: dict, before: str, after: str) -> str:
    """Where an endpoint was given as times, the footnote's words that the cutoff could not cut it."""
    return f"{before}{AS_DELIVERED}{after}" if endpoint.get("as_delivered") else ""


AS_DELIVERED = "data as delivered; the cutoff could not be applied"


def _landmark_clause(ledger: dict, name: str) -> str:
    if not (ledger["comparisons"].get(name) or {}).get("landmark_differences"):
        return ""
    return (". Differences in landmark rates: each arm's Kaplan-Meier estimate less the reference's, in percentage "
            "points, Wald CI from Greenwood standard errors (unstratified)")


def _strata_clause(comparison: dict) -> str:
    strata = comparison.get("stratified_by") or []
    return f"; log-rank test and Cox model stratified by {listed(strata)}" if strata else ""


def _overall_tests(comparison: dict) -> str:
    """The overall tests of the Cox model: likelihood ratio and score (log-rank), as R's summary.coxph."""
    tests = [(name, comparison.get(key)) for name, key in (("likelihood-ratio", "likelihood_ratio"),
                                                          ("score (log-rank)", "score"))]
    shown = [f"{name} test p {p_clause(t['p_value'])} ({t['df']} df)" for name, t in tests if t]
    return f"; overall {listed(shown)}" if shown else ""


def _response_comparison_note(ledger: dict) -> str:
    """The methods of the comparisons under the response table, each arm against the reference."""
    c = ledger.get("response_comparison")
    if not c:
        return ""
    note = (f" Each arm against {ledger['arms'][0]}: difference in response rate, {c['rate_difference_method_name']}, "
            f"p-value: {P_VALUES[c['rate_difference_method']]}; odds ratio, {c['odds_ratio_method_name']}, "
            f"p-value: {P_VALUES['woolf' if c['odds_ratio_method'] == 'wald' else 'fisher']}")
    if c["stratified_by"]:
        note += (f"; stratified by {listed(c['stratified_by'])}: {c['mantel_haenszel_method']} "
                 "(continuity-corrected, R mantelhaen.test)")
    return note + ". An odds ratio without an upper bound is shown as ∞; \u2014: not estimable."


def _median(block: dict, unit: str) -> str:
    estimate = block["median"]["estimate"]
    return "not reached" if estimate is None else f"{number(estimate)} {unit}"


@dataclass(frozen=True)
class Maturity:
    label: str  # the first endpoint's label, lower case
    followup: str
    at_risk: str  # "23 patients remained at risk at 6 months and 17 ... at 12 months"


@dataclass(frozen=True)
class NextSteps:
    shown: bool
    items: tuple[str, ...]
    maturity: Maturity | None


def next_steps_view(ledger: dict, context) -> NextSteps:
    items = tuple(((context.spec or {}).get("next_steps") or {}).get("text") or ())
    unit, maturity = ledger["methods"]["time_unit"], None
    for name, block in list(ledger["survival"].items())[:1]:
        maturity = Maturity(ledger["endpoints"][name]["label"].lower(), f"{number(block['median_followup'])} {unit}",
                            listed(f"{lm['n_at_risk']} patients remained at risk at {setting(lm['time'], 0)} {unit}"
                                   for lm in block["landmarks"]))
    written = "next_steps" in (context.written or {})  # the user's text of the plans
    return NextSteps(bool(items or written or ledger["survival"]), items, maturity)


@dataclass(frozen=True)
class Methods:
    ci_name: str
    level: str
    km_scale: str
    reference_arm: str  # by arm: the Cox models' reference arm; "" for a single arm
    times: str  # "Times in months (30.4375 days per month)."
    cutoff: str
    definitions: str = ""  # the spec's description of each endpoint given by the data ("Event-free survival: ...")


def methods_view(ledger: dict, context) -> Methods:
    from .formatting import long_date

    m = ledger["methods"]
    unit = m["time_unit"]
    per = f" ({setting(m['days_per_unit'], 4)} days per {unit_singular(unit)})" if unit != "days" else ""
    return Methods(m["proportion_ci_name"], confidence_label(m["confidence"]), KM_SCALE[m["km_conf_type"]],
                   ledger["arms"][0] if ledger["arms"] else "", f"Times in {unit}{per}.", long_date(ledger["data_cutoff"]),
                   _definitions(ledger.get("endpoints") or {}))


def _definitions(endpoints: dict) -> str:
    """Each described endpoint as "Label: description", and which could not be cut."""
    described = [f"{e['label']}: {e['description'].rstrip('.')}." for e in endpoints.values() if e.get("description")]
    uncut = [e["label"] for e in endpoints.values() if e.get("as_delivered")]
    if uncut:
        described.append(f"{listed(uncut)} {'was' if len(uncut) == 1 else 'were'} given as times, not dates: the data cutoff could not be applied "
                         "(data as delivered).")
    return " ".join(described)
