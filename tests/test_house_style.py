"""House style (`[report.style]`, issue 17 item 3): the user's logo and font file (embedded),
accent and text colours, running header and footer, the sponsor's confidentiality line and
the numbering of tables and figures, all from the spec, in the PDF and the HTML; the files
it names are validated inside the trial folder, hashed into the manifest and stored, so
`archive reproduce` renders the version again."""
import datetime as dt
import io
import json
import os
import re
import shutil
from pathlib import Path

import pikepdf
import pytest
import tinycss2
from PIL import Image
from pypdf import PdfReader

from conftest import EXAMPLE, run_cli
from report import compose
from report.errors import InputError
from report.inputs.trial import load_trial
from report.render.house_style import css_string, screen_fonts
from report.resources import templates_dir

ON = dt.date(2025, 1, 15)
FONT = templates_dir() / "fonts" / "SourceSansPro-It.otf"  # the "user's" font: a face no default report embeds
BOLD = templates_dir() / "fonts" / "SourceSansPro-Bold.otf"  # its bold face
HEADER = 'ACME "S1318" \\ Summary </style><b>x</b>'  # quotes, a backslash, and what would end <style>
FOOTER = "ACME-S1318-CSR v1.0"
CONFIDENTIAL = "CONFIDENTIAL: property of ACME Pharma; do not copy or distribute."
STYLE = f"""
[report.style]
logo = "style/logo.png"
font = "style/house.otf"
font_bold = "style/house-bold.otf"
accent = "#8b1a1a"
text = "#202040"
header = {json.dumps(HEADER)}
footer = "{FOOTER}"
confidentiality = "{CONFIDENTIAL}"
numbering = true
"""


def logo_png() -> bytes:
    image = Image.new("RGB", (240, 80), "#1f4e79")
    image.paste((242, 169, 0), (10, 10, 70, 70))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def styled_trial(folder: Path, style: str = STYLE) -> Path:
    """The bundled example with `style` appended to its trial.toml, and the logo and font in style/."""
    shutil.copytree(EXAMPLE, folder)
    (folder / "style").mkdir()
    (folder / "style" / "logo.png").write_bytes(logo_png())
    shutil.copy(FONT, folder / "style" / "house.otf")
    shutil.copy(BOLD, folder / "style" / "house-bold.otf")
    spec = folder / "trial.toml"
    spec.write_text(spec.read_text(encoding="utf-8") + "\n" + style, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def styled(tmp_path_factory):
    """The styled example's summary, PDF and HTML, built once."""
    tmp = tmp_path_factory.mktemp("style")
    folder = styled_trial(tmp / "trial")
    bundle = compose.build(load_trial(folder), formats=("pdf", "html"), out=tmp / "out", on=ON)
    return folder, tmp / "out", bundle.directory


def page_texts(pdf: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(str(pdf)).pages]


def test_the_pdf_embeds_the_users_fonts_byte_for_byte(styled):
    _, _, directory = styled
    with pikepdf.open(directory / "summary.pdf") as pdf:
        house = {str(o.FontName).split("+")[-1].split("-")[-1]: o.FontFile3.read_bytes() for o in pdf.objects
                 if isinstance(o, pikepdf.Dictionary) and o.get("/Type") == "/FontDescriptor"
                 and "House" in str(o.get("/FontName"))}
    assert len(house) == 2  # the regular face and the bold one, each once (semibold text is set bold)
    assert house["Bold"] == BOLD.read_bytes()
    assert FONT.read_bytes() in house.values()


def test_the_default_summary_does_not_embed_that_font(tmp_path):
    bundle = compose.build(load_trial(EXAMPLE), formats=("pdf",), out=tmp_path, on=ON)
    with pikepdf.open(bundle.directory / "summary.pdf") as pdf:
        embedded = [o.FontFile3.read_bytes() for o in pdf.objects
                    if isinstance(o, pikepdf.Dictionary) and o.get("/Type") == "/FontDescriptor" and "/FontFile3" in o]
    assert embedded and FONT.read_bytes() not in embedded


def test_headings_are_in_the_accent_colour_and_text_in_the_text_colour(styled):
    _, _, directory = styled
    with pikepdf.open(directory / "summary.pdf") as pdf:
        content = pdf.pages[1].Contents.read_bytes()
    colours = set(re.findall(rb"([\d.]+) ([\d.]+) ([\d.]+) rg", content))
    assert (b"0.545098", b"0.101961", b"0.101961") in colours  # #8b1a1a
    assert (b"0.12549", b"0.12549", b"0.25098") in colours  # #202040
    html = (directory / "summary.html").read_text(encoding="utf-8")
    assert ":root { --accent: #8b1a1a; --ink: #202040; }" in html


def test_header_footer_and_confidentiality_line_are_on_every_page(styled):
    _, _, directory = styled
    texts = page_texts(directory / "summary.pdf")
    assert len(texts) > 3
    for number, text in enumerate(texts, start=1):
        assert FOOTER in text and CONFIDENTIAL in text, number
        assert f"Page {number} of {len(texts)}" in text  # the stylesheet's page numbers, kept
        assert "Data cutoff 31 July 2018" in text  # and its cutoff line
        assert (HEADER in text) == (number > 1), number  # the header replaces the trial's, after the first page
        assert "S1318 — Blinatumomab" not in text  # the stylesheet's own header is replaced


def test_the_header_is_one_line(styled):
    _, _, directory = styled
    for text in page_texts(directory / "summary.pdf")[1:]:
        assert HEADER in [line.strip() for line in text.splitlines()]  # whole, on a line of its own


def test_user_text_cannot_end_the_style_element(styled):
    _, _, directory = styled
    html = (directory / "summary.html").read_text(encoding="utf-8")
    head = html.split("</head>")[0]
    assert head.count("</style>") == head.count("<style")  # the header's "</style>" is escaped
    assert "<b>x</b>" not in html


def test_css_strings_escape_quotes_backslashes_and_line_breaks():
    text = 'a "quoted" \\ back\nslash </style> \u00e9'
    (token,) = [t for t in tinycss2.parse_component_value_list(css_string(text)) if t.type != "whitespace"]
    assert token.type == "string" and token.value == 'a "quoted" \\ back slash </style> \u00e9'
    assert "<" not in css_string(text) and "\n" not in css_string(text)


def test_tables_and_figures_are_numbered_in_reading_order(styled):
    _, _, directory = styled
    text = "\n".join(page_texts(directory / "summary.pdf"))
    tables = [int(n) for n in re.findall(r"^Table (\d+)\. ", text, flags=re.M)]
    figures = [int(n) for n in re.findall(r"^Figure (\d+)\. ", text, flags=re.M)]
    assert tables == list(range(1, len(tables) + 1)) and len(tables) >= 3
    assert figures == list(range(1, len(figures) + 1)) and len(figures) >= 2
    assert "1. Study" in text and "2. Disposition" in text  # the section numbers go on as before


def test_numbering_false_takes_the_numbers_off(tmp_path):
    folder = styled_trial(tmp_path / "trial", '[report.style]\nnumbering = false\n')
    bundle = compose.build(load_trial(folder), formats=("pdf",), out=tmp_path / "out", on=ON)
    text = "\n".join(page_texts(bundle.directory / "summary.pdf"))
    assert "Disposition of patients enrolled" in text
    assert not re.search(r"^(Table|Figure) \d+\. ", text, flags=re.M)


def test_the_logo_heads_the_first_page(styled):
    _, _, directory = styled
    with pikepdf.open(directory / "summary.pdf") as pdf:
        images = [(int(o.Width), int(o.Height)) for o in pdf.objects
                  if isinstance(o, pikepdf.Stream) and o.get("/Subtype") == "/Image"]
    assert images == [(240, 80)]
    html = (directory / "summary.html").read_text(encoding="utf-8")
    assert ".masthead::before" in html and "data:image/png;base64," in html


def test_the_html_embeds_the_users_and_the_shipped_fonts(styled):
    import base64

    _, _, directory = styled
    html = (directory / "summary.html").read_text(encoding="utf-8")
    assert base64.b64encode(FONT.read_bytes()).decode("ascii") in html
    assert screen_fonts() in html
    for face in ("Regular", "Semibold", "Bold"):
        data = (templates_dir() / "fonts" / f"SourceSansPro-{face}.otf").read_bytes()
        assert base64.b64encode(data).decode("ascii") in html


def test_the_pdf_is_the_same_with_or_without_the_htmls_fonts():
    from report.render.render import pdf_bytes

    html = "<html><head><style>p { color: #123456 }</style></head><body><p>Table</p></body></html>"
    with_fonts = html.replace("</style>", screen_fonts() + "</style>")
    assert pdf_bytes(with_fonts, on=ON) == pdf_bytes(html, on=ON)


def test_the_style_files_are_in_the_manifest_and_the_version_reproduces(styled, tmp_path):
    folder, out, directory = styled
    manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    import hashlib

    assert manifest["style_files"] == [
        {"key": "logo", "path": "style/logo.png", "bytes": len(logo_png()),
         "sha256": hashlib.sha256(logo_png()).hexdigest()},
        {"key": "font", "path": "style/house.otf", "bytes": FONT.stat().st_size,
         "sha256": hashlib.sha256(FONT.read_bytes()).hexdigest()},
        {"key": "font_bold", "path": "style/house-bold.otf", "bytes": BOLD.stat().st_size,
         "sha256": hashlib.sha256(BOLD.read_bytes()).hexdigest()},
    ]
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    shutil.rmtree(folder / "style")  # gone from the trial folder: the store holds them
    version = directory.relative_to(out).as_posix()
    result = run_cli("archive", "reproduce", version, "--out", str(copy))
    assert result.returncode == 0, result.stdout + result.stderr
    for name in ("summary.html", "summary.pdf"):
        assert f"identical  {name}" in result.stdout, result.stdout
    assert run_cli("archive", "verify", "--out", str(copy)).returncode == 0  # the stored style files are no strays


def test_bad_style_files_are_exit_2_naming_each_key_at_once(tmp_path):
    outside = tmp_path / "outside.otf"
    shutil.copy(FONT, outside)
    folder = styled_trial(tmp_path / "trial", f"""
[report.style]
logo = "style/missing.png"
font = "../outside.otf"
font_bold = "style/logo.png"
""")
    result = run_cli("validate", str(folder))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    err = result.stderr
    assert "trial.toml" in err
    assert "report.style.logo: 'style/missing.png': no such file" in err
    assert "report.style.font: '../outside.otf' leads to" in err and "outside the trial folder" in err
    assert "report.style.font_bold: 'style/logo.png' is not a font file: its name must end with .otf, .ttf" in err


@pytest.mark.parametrize("value", ["/etc/hostname.png", "style/linked.otf", "linked-folder/house.otf", "style"])
def test_absolute_paths_symbolic_links_and_folders_are_refused(tmp_path, value):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    shutil.copy(FONT, outside / "house.otf")
    folder = styled_trial(tmp_path / "trial", f'[report.style]\nlogo = "{value}"\n' if value.endswith(".png")
                          else f'[report.style]\nfont = "{value}"\n')
    os.symlink(outside / "house.otf", folder / "style" / "linked.otf")
    os.symlink(outside, folder / "linked-folder")
    with pytest.raises(InputError) as raised:
        load_trial(folder)
    message = str(raised.value)
    assert "report.style." in message and "trial.toml" in message


def test_a_font_outside_the_trial_folder_is_never_fetched(tmp_path):
    from report.render.render import _template_fetcher

    outside = tmp_path / "outside.otf"
    shutil.copy(FONT, outside)
    folder = styled_trial(tmp_path / "trial", '[report.style]\nfont = "../outside.otf"\n')
    with pytest.raises(InputError, match="report.style.font"):
        compose.build(load_trial(folder), formats=("pdf",), out=tmp_path / "out", on=ON)
    assert not (tmp_path / "out").exists()
    with pytest.raises(ValueError, match="refused to fetch"):  # nor by a stylesheet's url(): the fetcher refuses it
        _template_fetcher(folder / "style").fetch(outside.as_uri())


def test_a_header_too_long_for_one_line_is_exit_2(tmp_path):
    folder = styled_trial(tmp_path / "trial", f'[report.style]\nheader = "{"x" * 101}"\naccent = "red"\n')
    result = run_cli("validate", str(folder))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "report.style.header" in result.stderr and "100 characters" in result.stderr
    assert "report.style.accent" in result.stderr  # every problem at once


def test_a_style_file_over_5_mb_is_refused(tmp_path):
    folder = styled_trial(tmp_path / "trial", '[report.style]\nlogo = "style/big.png"\n')
    (folder / "style" / "big.png").write_bytes(logo_png() + bytes(5 * 2**20))
    with pytest.raises(InputError, match=r"report.style.logo: 'style/big.png' is 5.0 MB; a style file is at most 5 MB"):
        load_trial(folder)


def test_a_bold_face_without_the_regular_one_is_exit_2(tmp_path):
    folder = styled_trial(tmp_path / "trial", '[report.style]\nfont_bold = "style/house-bold.otf"\n')
    with pytest.raises(InputError, match="report.style.font_bold: a bold face needs the regular one"):
        load_trial(folder)


def test_without_a_style_section_nothing_is_added_to_the_stylesheet():
    from report.inputs.spec_style import Style
    from report.render.house_style import style_css

    assert style_css(Style().model_dump(mode="json"), {}, None) == ""  # the default reports are unchanged
    assert style_css(Style(accent="#123456").model_dump(mode="json"), {}, None).endswith(":root { --accent: #123456; }\n")
