

def test_an_estimate_with_its_limits():
    from report.layout.formatting import estimate_with_limits

    assert estimate_with_limits(0.31579, 0.12951, 0.52549, as_percent=True) == "31.6 (13.0\u201352.5)"
    assert estimate_with_limits(17.0842, 9.8563, None) == "17.1 (9.9\u2013NE)"
    assert estimate_with_limits(None, 0.1, 0.2, as_percent=True, missing="-") == "-"


def test_a_heading_keeps_short_hyphenated_terms_whole():
    from report.layout.formatting import heading

    got = heading("Ph-negative B-cell ALL & Chromosome-Negative <i>")
    assert got == ('<span class="nowrap">Ph-negative</span> <span class="nowrap">B-cell</span> ALL &amp; '
                   "Chromosome-Negative &lt;i&gt;")  # long parts may break; the text is escaped
    assert heading("Non-small-cell lung cancer") == '<span class="nowrap">Non-small-cell</span> lung cancer'
    assert heading("A very-long-compound-term-with-no-end") == "A very-long-compound-term-with-no-end"
    assert heading("Plain title") == "Plain title"
