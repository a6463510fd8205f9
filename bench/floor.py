"""The least any report on this stack can cost: import the stack, fit one Kaplan-Meier
curve, draw one SVG, render a one-page PDF. Run as a fresh process by bench.py."""
import io

import numpy as np
from lifelines import KaplanMeierFitter
from matplotlib.figure import Figure
from weasyprint import HTML

rng = np.random.default_rng(1)
fit = KaplanMeierFitter().fit(rng.exponential(12, 30), rng.random(30) < 0.7)
figure = Figure(figsize=(6, 3.5))
figure.add_subplot().step(fit.survival_function_.index, fit.survival_function_.iloc[:, 0], where="post")
svg = io.StringIO()
figure.savefig(svg, format="svg")
HTML(string=f"<h1>Floor</h1>{svg.getvalue()[svg.getvalue().index('<svg'):]}").write_pdf()
