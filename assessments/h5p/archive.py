"""Reading an uploaded ``.h5p`` safely: every check runs on the zip's central directory and
the few JSON files inside, before a single byte is extracted.

No Django here, so the rules are tested on their own. A refusal is an ``H5PRefused`` with a
stable ``code`` (the same names as Lumi's H5P-Nodejs-library validator, where one exists) and
the details the Vietnamese message needs; ``services.h5p`` turns it into words.

Why not ``pyh5p``: its archive checks are sound but few (the same path, symlink, size and
extension rules are below, with refusal codes a translator can work with, where pyh5p raises
English sentences); its content validation refused four valid corpus packages and accepted
four invalid ones.
"""

import json
import re
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

# H5P core's default allow-lists: content may hold media and documents, libraries may also
# hold scripts and styles. No .html, .php, .exe or the like, anywhere.
CONTENT_EXTENSIONS = frozenset(
    [
        "json",
        "png",
        "jpg",
        "jpeg",
        "gif",
        "bmp",
        "tif",
        "tiff",
        "svg",
        "webp",
        "eot",
        "ttf",
        "woff",
        "woff2",
        "otf",
        "webm",
        "mp4",
        "ogg",
        "mp3",
        "m4a",
        "wav",
        "txt",
        "pdf",
        "rtf",
        "doc",
        "docx",
        "xls",
        "xlsx",
        "ppt",
        "pptx",
        "odt",
        "ods",
        "odp",
        "xml",
        "csv",
        "diff",
        "patch",
        "swf",
        "md",
        "textile",
        "vtt",
        "webvtt",
    ]
)
LIBRARY_EXTENSIONS = CONTENT_EXTENSIONS | {"js", "css"}

MACHINE_NAME = re.compile(r"^[A-Za-z0-9_.\-]{1,255}$")
LIBRARY_FOLDER = re.compile(r"^([A-Za-z0-9_.\-]+)-(\d+)\.(\d+)$")
LANGUAGE_FILE = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*\.json$")
# Files H5P never needs and zip tools add on their own; skipped, not refused.
IGNORED = re.compile(r"(^|/)(__MACOSX/|\.DS_Store$|Thumbs\.db$)")


class H5PRefused(ValueError):
    """Why a package cannot be used: ``code`` names the rule, ``params`` fill the message."""

    def __init__(self, code: str, **params):
        super().__init__(code, params)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class Limits:
    max_files: int = 10_000
    max_uncompressed_bytes: int = 500 * 1024 * 1024
    max_file_bytes: int = 200 * 1024 * 1024


@dataclass
class Library:
    machine_name: str
    major: int
    minor: int
    patch: int
    title: str
    runnable: bool
    folder: str


@dataclass
class Manifest:
    """What a valid package holds, as the database and the player need it."""

    title: str
    main_library: str
    language: str
    libraries: list[Library]
    content_types: list[str]  # runnable libraries the content uses, main one first
    params: dict  # content/content.json
    files: list[str] = field(default_factory=list)  # entries to extract

    def as_json(self) -> dict:
        return {
            "title": self.title,
            "main_library": self.main_library,
            "language": self.language,
            "libraries": [
                {
                    "name": lib.machine_name,
                    "version": f"{lib.major}.{lib.minor}.{lib.patch}",
                    "title": lib.title,
                }
                for lib in self.libraries
            ],
            "content_types": self.content_types,
        }


def _version(value) -> int:
    """Versions are numbers, though some exporters write them as strings ("1")."""
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    raise ValueError


MAX_JSON_BYTES = 20 * 1024 * 1024  # h5p.json, content.json, library.json, a language file


def _read_json(archive: zipfile.ZipFile, name: str, code: str, **params):
    info = archive.getinfo(name)
    if info.file_size > MAX_JSON_BYTES:
        raise H5PRefused(code, file=name, **params)
    try:
        return json.loads(archive.read(info).decode("utf-8-sig"))
    except (ValueError, UnicodeDecodeError, RecursionError, zipfile.BadZipFile, OSError) as error:
        raise H5PRefused(code, file=name, **params) from error


def _check_entry(info: zipfile.ZipInfo) -> str | None:
    """The entry's safe relative path, or None for a folder or a file we skip."""
    name = info.filename
    if "\\" in name or "\x00" in name:
        raise H5PRefused("unsafe-path", file=name)
    path = PurePosixPath(name)
    if path.is_absolute() or re.match(r"^[A-Za-z]:", name) or ".." in path.parts:
        raise H5PRefused("unsafe-path", file=name)
    if str(path) != name.rstrip("/"):  # "./x", "a//b": not what H5P writes, and ambiguous
        raise H5PRefused("unsafe-path", file=name)
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        raise H5PRefused("symlink", file=name)
    if info.is_dir() or IGNORED.search(name):
        return None
    if mode and not stat.S_ISREG(mode) and stat.S_IFMT(mode):
        raise H5PRefused("special-file", file=name)
    top = path.parts[0]
    allowed = CONTENT_EXTENSIONS if top == "content" or len(path.parts) == 1 else LIBRARY_EXTENSIONS
    extension = path.suffix.lower().lstrip(".")
    if extension not in allowed:
        raise H5PRefused("file-type", file=name, extension=extension or "—")
    return str(path)


def inspect(source, *, limits: Limits = Limits(), core_api: tuple[int, int] = (1, 24)) -> Manifest:
    """Check a package (a path or a binary file object) and describe it, or raise H5PRefused.

    Reads only the central directory and the JSON files, each within a size bound, so a zip
    bomb is refused from its declared sizes and never inflated.
    """
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as error:
        raise H5PRefused("not-a-zip") from error
    with archive:
        infos = archive.infolist()
        if not infos:
            raise H5PRefused("empty")
        if len(infos) > limits.max_files:
            raise H5PRefused("too-many-files", count=len(infos), limit=limits.max_files)
        total = 0
        files = []
        seen = set()
        for info in infos:
            relative = _check_entry(info)
            if info.file_size > limits.max_file_bytes:
                raise H5PRefused("file-too-large", file=info.filename, limit=limits.max_file_bytes)
            total += info.file_size
            if total > limits.max_uncompressed_bytes:
                raise H5PRefused("too-large", limit=limits.max_uncompressed_bytes)
            if relative is None:
                continue
            if relative.lower() in seen:
                raise H5PRefused("duplicate-entry", file=relative)
            seen.add(relative.lower())
            files.append(relative)
        names = set(files)
        folders = {str(parent) for name in files for parent in PurePosixPath(name).parents}
        clash = sorted(names & folders)
        if clash:  # a file and a folder of the same name
            raise H5PRefused("duplicate-entry", file=clash[0])
        if "h5p.json" not in names:
            raise H5PRefused("missing-h5p-json")
        if "content/content.json" not in names:
            raise H5PRefused("missing-content-json")
        package = _read_json(archive, "h5p.json", "invalid-h5p-json")
        params = _read_json(archive, "content/content.json", "invalid-content-json")
        title, main_library, language = _check_h5p_json(package)
        if not isinstance(params, dict):
            raise H5PRefused("invalid-content-json", file="content/content.json")
        libraries = _check_libraries(archive, names, core_api)
        available = {lib.machine_name for lib in libraries}
        if main_library not in available:
            raise H5PRefused("missing-library", library=main_library)
        for dependency in package.get("preloadedDependencies", []):
            machine_name = dependency.get("machineName") if isinstance(dependency, dict) else None
            if machine_name not in available:
                raise H5PRefused("missing-library", library=str(machine_name))
        types = [main_library] + sorted(_content_types(params) - {main_library})
        runnable = {lib.machine_name for lib in libraries if lib.runnable}
        return Manifest(
            title=title,
            main_library=main_library,
            language=language,
            libraries=sorted(libraries, key=lambda lib: lib.machine_name.lower()),
            content_types=[name for name in types if name in runnable or name == main_library],
            params=params,
            files=files,
        )


def _check_h5p_json(package) -> tuple[str, str, str]:
    """The fields H5P's schema requires: a title, a main library among the preloaded
    dependencies, and each dependency named with a version."""
    if not isinstance(package, dict):
        raise H5PRefused("invalid-h5p-json-schema", field="h5p.json")
    title = package.get("title")
    main_library = package.get("mainLibrary")
    dependencies = package.get("preloadedDependencies")
    if not isinstance(title, str) or not title.strip():
        raise H5PRefused("invalid-h5p-json-schema", field="title")
    if not isinstance(main_library, str) or not MACHINE_NAME.match(main_library):
        raise H5PRefused("invalid-h5p-json-schema", field="mainLibrary")
    if not isinstance(dependencies, list) or not dependencies:
        raise H5PRefused("invalid-h5p-json-schema", field="preloadedDependencies")
    for dependency in dependencies:
        try:
            if not MACHINE_NAME.match(dependency["machineName"]):
                raise ValueError
            _version(dependency["majorVersion"])
            _version(dependency["minorVersion"])
        except (KeyError, TypeError, ValueError):
            raise H5PRefused("invalid-h5p-json-schema", field="preloadedDependencies") from None
    language = package.get("language") if isinstance(package.get("language"), str) else "und"
    return title.strip()[:255], main_library, language[:10]


def _check_libraries(archive, names: set[str], core_api) -> list[Library]:
    folders = sorted({name.split("/")[0] for name in names if "/" in name} - {"content"})
    problems = []  # every faulty library is reported, not only the first
    libraries = []
    for folder in folders:
        try:
            libraries.append(_check_library(archive, folder, names, core_api))
        except H5PRefused as refusal:
            problems.append(refusal)
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise H5PRefused("several", problems=problems)
    return libraries


def _check_library(archive, folder: str, names: set[str], core_api) -> Library:
    match = LIBRARY_FOLDER.match(folder)
    if not match:
        raise H5PRefused("invalid-library-name", folder=folder)
    if f"{folder}/library.json" not in names:
        raise H5PRefused("missing-library-json", folder=folder)
    data = _read_json(archive, f"{folder}/library.json", "invalid-library-json", folder=folder)
    try:
        if not isinstance(data, dict):
            raise ValueError
        machine_name = data["machineName"]
        if not isinstance(machine_name, str) or not MACHINE_NAME.match(machine_name):
            raise ValueError
        title = data["title"]
        if not isinstance(title, str) or not title.strip():
            raise ValueError
        major, minor, patch = (
            _version(data[key]) for key in ("majorVersion", "minorVersion", "patchVersion")
        )
        runnable = data.get("runnable", 0) in (1, True, "1")
    except (KeyError, TypeError, ValueError):
        raise H5PRefused(
            "invalid-library-json", folder=folder, file=f"{folder}/library.json"
        ) from None
    if (match.group(1), int(match.group(2)), int(match.group(3))) != (machine_name, major, minor):
        raise H5PRefused(
            "library-directory-name-mismatch",
            folder=folder,
            expected=f"{machine_name}-{major}.{minor}",
        )
    required = data.get("coreApi")
    if required is not None:
        try:
            wanted = (_version(required["majorVersion"]), _version(required["minorVersion"]))
        except (KeyError, TypeError, ValueError):
            raise H5PRefused(
                "invalid-library-json", folder=folder, file=f"{folder}/library.json"
            ) from None
        if wanted > tuple(core_api):
            raise H5PRefused(
                "api-version-unsupported",
                folder=folder,
                required=f"{wanted[0]}.{wanted[1]}",
                supported=f"{core_api[0]}.{core_api[1]}",
            )
    for key in ("preloadedJs", "preloadedCss"):
        entries = data.get(key, [])
        if not isinstance(entries, list):
            raise H5PRefused("invalid-library-json", folder=folder, file=f"{folder}/library.json")
        for entry in entries:
            path = entry.get("path") if isinstance(entry, dict) else None
            if not isinstance(path, str) or f"{folder}/{path}" not in names:
                raise H5PRefused("library-file-missing", folder=folder, file=f"{folder}/{path}")
    for name in sorted(names):
        prefix = f"{folder}/language/"
        if name.startswith(prefix) and "/" not in name[len(prefix) :]:
            language_file = name[len(prefix) :]
            if language_file == ".en.json":  # H5P's own template for translators
                continue
            if not LANGUAGE_FILE.match(language_file):
                raise H5PRefused("invalid-language-file", folder=folder, file=name)
            _read_json(archive, name, "invalid-language-file-json", folder=folder)
    return Library(machine_name, major, minor, patch, title.strip()[:255], runnable, folder)


def _content_types(value) -> set[str]:
    """The content types nested in the parameters: ``{"library": "H5P.MultiChoice 1.14"}``."""
    found = set()
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            library = item.get("library")
            if isinstance(library, str) and " " in library and isinstance(item.get("params"), dict):
                found.add(library.split(" ")[0])
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


def extract(source, manifest: Manifest, destination: Path, *, limits: Limits = Limits()) -> int:
    """Write the manifest's files under ``destination`` (which must not exist yet).

    Each file is streamed in chunks and counted as it is written, so the totals hold even if a
    forged header understated a size; paths were checked by ``inspect`` and are checked
    again against the resolved destination. Returns the bytes written.
    """
    destination = Path(destination)
    root = destination.resolve()
    destination.mkdir(parents=True)
    written = 0
    with zipfile.ZipFile(source) as archive:
        for name in manifest.files:
            target = (destination / name).resolve()
            if root not in target.parents:
                raise H5PRefused("unsafe-path", file=name)
            target.parent.mkdir(parents=True, exist_ok=True)
            size = 0
            with archive.open(name) as reader, open(target, "xb") as writer:
                while chunk := reader.read(1024 * 1024):
                    size += len(chunk)
                    written += len(chunk)
                    if size > limits.max_file_bytes:
                        raise H5PRefused("file-too-large", file=name, limit=limits.max_file_bytes)
                    if written > limits.max_uncompressed_bytes:
                        raise H5PRefused("too-large", limit=limits.max_uncompressed_bytes)
                    writer.write(chunk)
    return written
