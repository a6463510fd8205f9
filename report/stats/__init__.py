"""Stage 2, statistics: pure estimators (proportions, Kaplan-Meier, Cox, arm comparisons, the
stopping rules' statistics), each checked against R."""
