"""Small H5P packages written by the tests themselves, and where the shared corpus is.

``package()`` builds a valid package around a tiny library of our own (``HVS.Check``);
keyword arguments add, replace or drop entries to make it invalid in one precise way.
"""

import io
import json
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
H5P_CORPUS = CORPUS / "h5p"
XAPI_CORPUS = CORPUS / "xapi" / "h5p-emitted"

LIBRARY = {
    "title": "Câu hỏi kiểm tra",
    "machineName": "HVS.Check",
    "majorVersion": 1,
    "minorVersion": 0,
    "patchVersion": 2,
    "runnable": 1,
    "preloadedJs": [{"path": "check.js"}],
    "preloadedCss": [{"path": "check.css"}],
}
CHECK_JS = (
    b"H5P.HVSCheck = function (params) { this.attach = function ($c) { $c.text(params.q); }; };"
)


def entries(**changes) -> dict[str, bytes]:
    files = {
        "h5p.json": json.dumps(
            {
                "title": "Nhận biết tin nhắn lừa đảo",
                "language": "vi",
                "mainLibrary": "HVS.Check",
                "embedTypes": ["div"],
                "preloadedDependencies": [
                    {"machineName": "HVS.Check", "majorVersion": 1, "minorVersion": 0}
                ],
            },
            ensure_ascii=False,
        ).encode(),
        "content/content.json": json.dumps(
            {"q": "Tin nhắn này có đáng tin không?"}, ensure_ascii=False
        ).encode(),
        "content/images/canh-bao.png": b"\x89PNG\r\n\x1a\n" + b"0" * 32,
        "HVS.Check-1.0/library.json": json.dumps(LIBRARY, ensure_ascii=False).encode(),
        "HVS.Check-1.0/check.js": CHECK_JS,
        "HVS.Check-1.0/check.css": b".h5p-hvs-check { color: #123; }",
        "HVS.Check-1.0/language/vi.json": b'{"semantics": []}',
    }
    for name, data in changes.items():
        name = name.replace("__", "/")
        if data is None:
            files.pop(name, None)
        else:
            files[name] = data
    return files


def package(files: dict[str, bytes] | None = None, **changes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in (files if files is not None else entries(**changes)).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def needs_corpus():
    if not H5P_CORPUS.is_dir():
        pytest.skip(f"the shared corpus is not beside this clone ({H5P_CORPUS} is missing)")


def corpus_packages(folder: str = "") -> list[Path]:
    base = H5P_CORPUS / folder
    return sorted(base.glob("*.h5p")) if base.is_dir() else []
