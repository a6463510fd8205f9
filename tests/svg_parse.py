"""Reading matplotlib SVG in tests: groups by id, texts, path points, marker positions, and the
data-to-SVG scale read off an axis' labelled ticks."""
from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET

SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}"


def tree(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def group(svg: str, gid: str) -> ET.Element | None:
    return tree(svg).find(f".//*[@id='{gid}']")


def ids(svg: str, pattern: str) -> list[str]:
    return [el.get("id") for el in tree(svg).iter() if el.get("id") and re.fullmatch(pattern, el.get("id"))]


def text_of(svg: str, gid: str) -> str | None:
    g = group(svg, gid)
    t = None if g is None else (g if g.tag == f"{SVG}text" else g.find(f".//{SVG}text"))
    return None if t is None else "".join(t.itertext())


def texts(svg: str) -> list[str]:
    return ["".join(el.itertext()) for el in tree(svg).iter(f"{SVG}text")]


def path_points(svg: str, gid: str) -> list[tuple[float, float]]:
    """The vertices of the first path in group `gid`."""
    path = group(svg, gid).find(f".//{SVG}path")
    numbers = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?(?:e-?\d+)?", path.get("d"))]
    return list(zip(numbers[::2], numbers[1::2]))


def path_style(svg: str, gid: str) -> dict[str, str]:
    path = group(svg, gid).find(f".//{SVG}path")
    return dict(part.strip().split(": ", 1) for part in path.get("style", "").split(";") if ":" in part)


def marker_positions(svg: str, gid: str) -> list[tuple[float, float]]:
    g = group(svg, gid)
    return [] if g is None else [(float(u.get("x")), float(u.get("y"))) for u in g.iter(f"{SVG}use")]


def _number(label: str) -> float:
    return float(label.replace("\u2212", "-"))


def _ticks(svg: str, axis: str) -> list[tuple[float, float]]:
    """(value, svg coordinate) of each labelled tick of the first axes' x or y axis."""
    out = []
    for g in tree(svg).iter(f"{SVG}g"):
        if re.fullmatch(f"{axis}tick_\\d+", g.get("id") or ""):
            use = g.find(f".//{SVG}use")
            label = "".join(t for el in g.iter(f"{SVG}text") for t in el.itertext())
            if use is not None and label:
                out.append((_number(label), float(use.get("x" if axis == "x" else "y"))))
    return out


def scale(svg: str, axis: str = "x", log: bool = False):
    """data value -> svg coordinate, from two labelled ticks."""
    (v0, p0), (v1, p1) = _ticks(svg, axis)[:2]
    f = math.log if log else (lambda v: v)
    return lambda v: p0 + (f(v) - f(v0)) * (p1 - p0) / (f(v1) - f(v0))


def _style(el: ET.Element) -> dict[str, str]:
    return dict(part.strip().split(": ", 1) for part in el.get("style", "").split(";") if ":" in part)


def text_extent(svg: str, gid: str) -> tuple[float, float, float]:
    """(left, right, baseline y) of the text in group `gid`, in SVG units (points): its width
    measured in the font and size it is set in (the report's fonts), placed by its text-anchor."""
    from matplotlib.backends.backend_agg import RendererAgg
    from matplotlib.font_manager import FontProperties

    from report.layout.figures import _register_report_fonts

    g = group(svg, gid)
    el = g if g.tag == f"{SVG}text" else g.find(f".//{SVG}text")
    style = _style(el)
    _register_report_fonts()
    prop = FontProperties(family=style["font-family"].split(",")[0].strip("' "),
                          size=float(style["font-size"].removesuffix("px")),
                          weight=style.get("font-weight", "normal"))
    width = RendererAgg(10, 10, 72).get_text_width_height_descent("".join(el.itertext()), prop, ismath=False)[0]
    x = float(el.get("x"))
    left = {"start": x, "middle": x - width / 2, "end": x - width}[style.get("text-anchor", "start")]
    return left, left + width, float(el.get("y"))


def marker_stroke_width(svg: str, gid: str) -> float:
    """The stroke width of the marker drawn in group `gid` (its definition, which each use shows)."""
    use = next(group(svg, gid).iter(f"{SVG}use"))
    href = use.get(f"{XLINK}href").lstrip("#")
    marker = tree(svg).find(f".//*[@id='{href}']")
    return float(_style(marker)["stroke-width"])
