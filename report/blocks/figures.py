"""The blocks' figures, drawn from the ledger: Kaplan-Meier curves, AEs by grade, accrual and CONSORT."""
from __future__ import annotations


def survival_figures(ledger: dict) -> dict[str, str]:
    """Kaplan-Meier figures by endpoint (one curve per arm where there are arms)."""
    from ..layout.figures import namespaced
    from ..layout.survival_figures import km_arms_figure, km_figure
    from ..layout.wording import capitalised

    unit = ledger["methods"]["time_unit"].capitalize()
    figures = {}
    for name, block in ledger["survival"].items():
        endpoint = ledger["endpoints"][name]
        time_label = f"{unit} since {endpoint['origin']}"
        if ledger["arms"]:
            arms = {arm: ledger["by_arm"][arm]["survival"][name] for arm in ledger["arms"]}
            svg = km_arms_figure(arms, label=endpoint["label"], time_label=time_label,
                                 comparison=ledger["comparisons"].get(name))
        else:
            svg = km_figure(block, label=endpoint["label"], time_label=time_label,
                            row_label=capitalised(endpoint["population"]))
        figures[f"km-{name}"] = namespaced(svg, f"fig-km-{name}")
    return figures


def adverse_event_figures(ledger: dict) -> dict[str, str]:
    """AEs by grade, for a single-arm ledger whose adverse events were collected."""
    from ..layout.figures import ae_grade_figure, namespaced

    if ledger["arms"] or ledger["safety"]["terms"] is None:  # None: adverse events not collected
        return {}
    return {"ae": namespaced(ae_grade_figure(ledger["safety"]["terms"], n=ledger["safety"]["n"]), "fig-ae")}


def conduct_figures(ledger: dict) -> dict[str, str]:
    """The accrual and CONSORT figures of a DSMB ledger's `dsmb` part (open or closed)."""
    from ..layout.figures import accrual_figure, consort_figure, namespaced

    part = ledger["dsmb"]
    return {
        "accrual": namespaced(accrual_figure(part["accrual"]["months"], planned=part["accrual"]["planned"]), "fig-accrual"),
        "consort": namespaced(consort_figure(part["disposition"]), "fig-consort"),
    }
