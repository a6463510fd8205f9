"""The system libraries that shape a PDF's bytes, as the libraries themselves report them.

WeasyPrint lays text out with Pango, which shapes it with HarfBuzz and finds fonts with
fontconfig and FreeType; pydyf writes the PDF and compresses it with zlib. A manifest
records their versions, so that `archive reproduce` can say which of them changed when
a PDF's bytes do. The versions are read, with ctypes, from the very libraries WeasyPrint
loads (a few milliseconds; WeasyPrint itself is not imported).
"""
from __future__ import annotations

import functools
from importlib import metadata

# How the renderer embeds fonts (report.render.render): whole, so that no subsetter shapes the bytes.
FONT_SUBSETTER = "none (fonts embedded whole)"
PACKAGES = ("fonttools", "pydyf")  # Python packages that write the PDF, beyond the manifest's software

# The names WeasyPrint (weasyprint.text.ffi) tries, per platform, and FreeType's.
_NAMES = {
    "pango": ("libpango-1.0-0", "pango-1.0-0", "pango-1.0", "libpango-1.0.so.0", "libpango-1.0.dylib",
              "libpango-1.0-0.dll"),
    "harfbuzz": ("libharfbuzz-0", "harfbuzz", "harfbuzz-0.0", "libharfbuzz.so.0", "libharfbuzz.0.dylib",
                 "libharfbuzz-0.dll"),
    "harfbuzz_subset": ("libharfbuzz-subset-0", "harfbuzz-subset", "harfbuzz-subset-0.0", "libharfbuzz-subset.so.0",
                        "libharfbuzz-subset.0.dylib", "libharfbuzz-subset-0.dll"),
    "fontconfig": ("libfontconfig-1", "fontconfig-1", "fontconfig", "libfontconfig.so.1", "libfontconfig.1.dylib",
                   "libfontconfig-1.dll"),
    "freetype": ("libfreetype-6", "freetype-6", "freetype", "libfreetype.so.6", "libfreetype.6.dylib",
                 "libfreetype-6.dll"),
}


@functools.cache
def system_libraries() -> dict[str, str | None]:
    """Each library's version (None where it cannot be loaded) and how fonts are embedded."""
    import zlib

    libraries = {name: _load(name) for name in _NAMES}
    return {
        "pango": _call(libraries["pango"], lambda lib: _text(lib.pango_version_string)),
        "harfbuzz": _call(libraries["harfbuzz"], lambda lib: _text(lib.hb_version_string)),
        "harfbuzz_subset": "installed, not used" if libraries["harfbuzz_subset"] else "not installed",
        "freetype": _call(libraries["freetype"], _freetype_version),
        "fontconfig": _call(libraries["fontconfig"], lambda lib: _fontconfig_version(lib.FcGetVersion())),
        "zlib": zlib.ZLIB_RUNTIME_VERSION,
        **{name: _package_version(name) for name in PACKAGES},
        "font_subsetter": FONT_SUBSETTER,
    }


def differences(recorded: dict, running: dict) -> list[str]:
    """'name: X recorded, Y running' for each entry that differs (a missing one too)."""
    lines = []
    for name in sorted(set(recorded) | set(running)):
        was, now = recorded.get(name, "not recorded"), running.get(name, "not recorded")
        if was != now:
            lines.append(f"{name}: {_shown(was)} recorded, {_shown(now)} running")
    return lines


def _load(name: str):
    import ctypes
    import os

    for candidate in _NAMES[name]:
        try:
            return ctypes.CDLL(candidate, mode=getattr(os, "RTLD_LAZY", 0))
        except OSError:
            continue
    return None


def _call(library, read) -> str | None:
    if library is None:
        return None
    try:
        return read(library)
    except (AttributeError, OSError):  # a build of the library without that function
        return None


def _text(function) -> str:
    import ctypes

    function.restype = ctypes.c_char_p
    return function().decode("ascii", "replace")


def _freetype_version(lib) -> str | None:
    import ctypes

    handle, parts = ctypes.c_void_p(), [ctypes.c_int() for _ in range(3)]
    if lib.FT_Init_FreeType(ctypes.byref(handle)) != 0:
        return None
    try:
        lib.FT_Library_Version(handle, *(ctypes.byref(part) for part in parts))
        return ".".join(str(part.value) for part in parts)
    finally:
        lib.FT_Done_FreeType(handle)


def _fontconfig_version(number: int) -> str:
    return f"{number // 10000}.{number // 100 % 100}.{number % 100}"


def _package_version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def _shown(value) -> str:
    return "none" if value is None else str(value)
