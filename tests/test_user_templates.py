"""A trial's own templates (`[report] templates = "folder"`, issue 14): its partials and
stylesheet go in front of the shipped ones, rendered in Jinja's sandbox with autoescape and
strict undefined; the PDF reads files from that folder and the shipped one only; the
folder's files are inputs of the version, so `archive reproduce` renders it again."""
import json
import re
import shutil
from pathlib import Path

import pikepdf
import pytest
from PIL import Image
from pypdf import PdfReader

from conftest import EXAMPLE, run_cli

ENV = {"SOURCE_DATE_EPOCH": "1735689600"}
OWN_STUDY = """{# our own study section #}
<section id="study">
  <h2>Our own study section</h2>
  <p class="mine">{{ spec.study.population }}</p>
</section>
"""
OWN_CSS = """h2 { color: #ff0000; }
.masthead { background-image: url("logo.png"); }
h3 { background-image: url("OUTSIDE"); }
"""


def trial_with(tmp_path: Path, toml: str, files: dict[str, str | bytes]) -> Path:
    """The bundled example with `toml` appended to its trial.toml and `files` written into it."""
    folder = tmp_path / "trial"
    shutil.copytree(EXAMPLE, folder)
    spec = folder / "trial.toml"
    spec.write_text(spec.read_text(encoding="utf-8") + "\n" + toml, encoding="utf-8")
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content) if isinstance(content, bytes) else path.write_text(content, encoding="utf-8")
    return folder


def png(width: int, height: int) -> bytes:
    import io

    out = io.BytesIO()
    Image.new("RGB", (width, height), (0, 128, 255)).save(out, format="PNG")
    return out.getvalue()


def built(result) -> dict[str, Path]:
    assert result.returncode == 0, result.stderr
    return {Path(p).name: Path(p) for p in result.stdout.split()}


def refused(result, *phrases: str) -> str:
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    for phrase in phrases:
        assert phrase in result.stderr, result.stderr
    return result.stderr


@pytest.fixture(scope="module")
def own(tmp_path_factory):
    """A summary built with its own study partial and stylesheet, a logo beside them; a PNG
    outside the trial folder that the stylesheet also names."""
    tmp_path = tmp_path_factory.mktemp("own")
    outside = tmp_path / "outside.png"
    outside.write_bytes(png(5, 7))
    folder = trial_with(tmp_path, '[report]\ntemplates = "look"\n', {
        "look/partials/study.html.j2": OWN_STUDY,
        "look/report.css": OWN_CSS.replace("OUTSIDE", outside.as_uri()),
        "look/logo.png": png(3, 2),
    })
    text = (folder / "trial.toml").read_text(encoding="utf-8")
    (folder / "trial.toml").write_text(text.replace('population = "Adults', 'population = "<script>alert(1)</script> Adults'),
                                       encoding="utf-8")
    out = tmp_path / "out"
    return folder, out, built(run_cli("build", str(folder), "--out", str(out), env=ENV))


def test_a_user_partial_replaces_the_shipped_one_in_html_and_pdf(own):
    _, _, files = own
    html = files["summary.html"].read_text(encoding="utf-8")
    assert "Our own study section" in html and "our own study section" not in html  # the comment is not output
    assert "<h3>Patients</h3>" not in html  # the shipped study partial's
    assert 'id="results"' in html  # the rest fall through to the shipped partials
    pages = PdfReader(files["summary.pdf"]).pages
    text = b"".join(page.get_contents().get_data() for page in pages)
    words = " ".join(page.extract_text() for page in pages)
    assert "Our own study section" in " ".join(words.split())
    assert b"1 0 0 rg" in text  # the user's h2 colour, #ff0000, painted in the PDF


def test_a_user_stylesheet_replaces_the_shipped_one(own):
    _, _, files = own
    style = files["summary.html"].read_text(encoding="utf-8").split("</style>", 1)[0]
    assert "h2 { color: #ff0000; }" in style
    assert "--accent: #1f3a5f" not in style  # the shipped report.css is replaced, not added to


def test_data_text_is_escaped_in_a_user_template(own):
    _, _, files = own
    html = files["summary.html"].read_text(encoding="utf-8")
    assert '<p class="mine">&lt;script&gt;alert(1)&lt;/script&gt; Adults' in html
    assert "<script>" not in html


def test_the_pdf_reads_the_users_logo_but_no_file_outside_both_folders(own):
    _, _, files = own
    with pikepdf.open(files["summary.pdf"]) as pdf:
        sizes = {(int(image.Width), int(image.Height)) for page in pdf.pages
                 for image in _images(page.obj.get("/Resources", {}))}
    assert (3, 2) in sizes  # the logo beside the user's stylesheet
    assert (5, 7) not in sizes  # the PNG outside the trial folder: refused


def _images(resources) -> list:
    found = []
    for xobject in resources.get("/XObject", {}).values():
        if xobject.get("/Subtype") == "/Image":
            found.append(xobject)
        elif xobject.get("/Subtype") == "/Form":
            found += _images(xobject.get("/Resources", {}))
    for pattern in resources.get("/Pattern", {}).values():
        found += _images(pattern.get("/Resources", {}))
    return found


def test_the_fetcher_refuses_files_outside_the_shipped_and_the_users_folder(tmp_path):
    from report.render.render import _template_fetcher
    from report.resources import templates_dir

    user = tmp_path / "look"
    user.mkdir()
    (user / "logo.png").write_bytes(png(3, 2))
    (tmp_path / "secret.txt").write_text("secret")
    fetcher = _template_fetcher(user)
    assert fetcher.fetch((user / "logo.png").as_uri()).read()[:4] == b"\x89PNG"
    assert fetcher.fetch((templates_dir() / "report.css").as_uri()).read()
    assert fetcher.fetch("file:///trialreport-user-templates/logo.png").read()[:4] == b"\x89PNG"
    for url in ((tmp_path / "secret.txt").as_uri(), (user / ".." / "secret.txt").as_uri(), "https://example.org/x.png",
                "file:///trialreport-user-templates/../secret.txt"):
        with pytest.raises(ValueError, match="refused to fetch"):
            fetcher.fetch(url)
    with pytest.raises(ValueError, match="refused to fetch"):
        _template_fetcher().fetch((user / "logo.png").as_uri())  # without a user folder, as before


def test_a_version_built_with_user_templates_reproduces_identically_from_the_store(own, tmp_path):
    folder, out, files = own
    manifest = json.loads((files["summary.html"].parent / "manifest.json").read_text(encoding="utf-8"))
    recorded = manifest["user_templates"]
    assert recorded["folder"] == "look"
    assert [f["path"] for f in recorded["files"]] == ["logo.png", "partials/study.html.j2", "report.css"]
    assert all(t["path"] != "partials/study.html.j2" or t["sha256"] != recorded["files"][1]["sha256"]
               for t in manifest["templates"])  # the shipped ones are recorded apart
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    shutil.rmtree(folder / "look")  # the user's folder is gone: the store holds its files
    version = files["summary.html"].parent.relative_to(out).as_posix()
    result = run_cli("archive", "reproduce", version, "--out", str(copy))
    assert result.returncode == 0, result.stdout + result.stderr
    for name in ("summary.html", "summary.pdf", "results.json"):
        assert f"identical  {name}" in result.stdout, result.stdout
    assert run_cli("archive", "verify", "--out", str(copy)).returncode == 0  # its stored templates are no stray files
    logo = recorded["files"][0]["sha256"]
    (copy / "store" / "sha256" / logo[:2] / logo[2:]).unlink()
    verified = run_cli("archive", "verify", "--out", str(copy))
    assert verified.returncode == 1 and f"{version}: template logo.png missing from the store" in verified.stderr
    again = run_cli("archive", "reproduce", version, "--out", str(copy))
    assert again.returncode == 2 and "the stored template logo.png is missing or changed" in again.stderr


def test_a_template_reaching_for_python_internals_is_refused_by_the_sandbox(tmp_path):
    partial = OWN_STUDY.replace("{{ spec.study.population }}", "{{ ''.__class__.__mro__ }}")
    folder = trial_with(tmp_path, '[report]\ntemplates = "look"\n', {"look/partials/study.html.j2": partial})
    result = run_cli("build", str(folder), "--format", "html", "--out", str(tmp_path / "out"), env=ENV)
    refused(result, str(folder / "look" / "partials" / "study.html.j2"), "line 4:", "unsafe", "report.templates")
    assert not (tmp_path / "out").exists()


def test_an_undefined_name_in_a_user_template_is_exit_2_naming_file_and_line(tmp_path):
    partial = '<section id="notes">\n  <h2>Notes</h2>\n  <p>{{ r.data_cutoff }}</p>\n  <p>{{ r.no_such_value }}</p>\n</section>\n'
    folder = trial_with(tmp_path, '[report]\ntemplates = "look"\n', {"look/partials/dsmb/notes.html.j2": partial})
    result = run_cli("build", str(folder), "--kind", "dsmb", "--no-encrypt", "--format", "html",
                     "--out", str(tmp_path / "out"), env=ENV)
    refused(result, str(folder / "look/partials/dsmb/notes.html.j2") + ": line 4: ", "no_such_value", "report.templates")
    assert not (tmp_path / "out").exists()


def test_a_template_that_does_not_compile_is_refused_with_file_and_line_before_building(tmp_path):
    folder = trial_with(tmp_path, '[report]\ntemplates = "look"\n[report.summary]\nblocks = ["nothing"]\n', {
        "look/partials/study.html.j2": "<section>\n{% if %}\n</section>\n",
        "look/partials/extra.html.j2": "{{ x | no_such_filter }}\n",
    })
    for command in ("build", "validate"):
        args = ["build", str(folder), "--out", str(tmp_path / "out")] if command == "build" else ["validate", str(folder)]
        err = refused(run_cli(*args, env=ENV), "report.templates: look/partials/study.html.j2, line 2: ",
                      "report.templates: look/partials/extra.html.j2, line 1: ", "no_such_filter",
                      "report.summary.blocks[0]: 'nothing' is not a block")  # every problem at once
        assert "trial.toml" in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("value, phrase", [
    ("../elsewhere", "outside the trial folder"),
    ("missing", "no such folder"),
    ("subjects.csv", "is not a folder"),
    (".", "is the trial folder itself"),
    ("linked", "leads to"),
])
def test_a_templates_folder_that_is_missing_or_outside_the_trial_folder_is_refused(tmp_path, value, phrase):
    (tmp_path / "elsewhere").mkdir()
    folder = trial_with(tmp_path, f'[report]\ntemplates = "{value}"\nunknown_key = 1\n', {})
    (folder / "linked").symlink_to(tmp_path / "elsewhere")
    result = run_cli("build", str(folder), "--out", str(tmp_path / "out"), env=ENV)
    err = refused(result, "trial.toml", f"report.templates: '{value}'", phrase)
    assert "report.unknown_key: unknown key" in err  # with the rest of the spec's problems
    assert not (tmp_path / "out").exists()


def test_a_symbolic_link_inside_the_templates_folder_is_refused(tmp_path):
    (tmp_path / "secret.html.j2").write_text("secret")
    folder = trial_with(tmp_path, '[report]\ntemplates = "look"\n', {"look/report.css": "h2 { color: red; }"})
    (folder / "look" / "partials").mkdir()
    (folder / "look" / "partials" / "study.html.j2").symlink_to(tmp_path / "secret.html.j2")
    refused(run_cli("validate", str(folder)), "report.templates: 'look' holds a symbolic link, partials/study.html.j2")


def test_a_folder_that_overrides_nothing_changes_no_byte_of_the_html(tmp_path):
    plain = trial_with(tmp_path / "a", "", {})
    own = trial_with(tmp_path / "b", '[report]\ntemplates = "look"\n', {"look/README.txt": "nothing to override"})
    for kind in ("summary", "abstract"):
        html = []
        for folder in (plain, own):
            files = built(run_cli("build", str(folder), "--kind", kind, "--format", "html",
                                  "--out", str(folder / "out"), env=ENV))
            html.append(files[f"{kind}.html"].read_bytes())
        assert html[0] == html[1], kind


def test_every_shipped_template_renders_in_the_sandbox_with_strict_undefined():
    from jinja2.sandbox import SandboxedEnvironment
    import jinja2

    from report.render.render import environment

    env = environment()
    assert isinstance(env, SandboxedEnvironment) and env.undefined is jinja2.StrictUndefined and env.autoescape
    assert re.search(r"unsafe", _sandbox_message(env))


def _sandbox_message(env) -> str:
    from jinja2.exceptions import SecurityError

    with pytest.raises(SecurityError) as caught:
        env.from_string("{{ ''.__class__.__mro__ }}").render()
    return str(caught.value)
