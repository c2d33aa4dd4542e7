"""H5P packages: what is refused before extraction and why, what a valid package becomes,
replacing a package, the import command and the admin upload.

The core tests build their packages here (tests/h5p_packages.py); the corpus tests read the
16 valid and 11 invalid packages of ../shared/corpus/h5p and skip, saying why, without it.
"""

import io
import json
import stat
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from assessments import services
from assessments.h5p import archive
from assessments.models import H5PActivity, H5PPackageVersion
from tests.h5p_packages import corpus_packages, entries, needs_corpus, package

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


def refusal(data: bytes, **limits) -> services.H5PImportRefused:
    with pytest.raises(services.H5PImportRefused) as caught:
        services.h5p_package_import(source=io.BytesIO(data), filename="goi.h5p", **limits)
    return caught.value


def nothing_written(media: Path) -> bool:
    """Not a byte anywhere under the media folder (and the tests check beside it)."""
    return not media.exists() or not [p for p in media.rglob("*") if p.is_file()]


# --- A valid package ------------------------------------------------------------------------


def test_valid_package_is_extracted_and_described(media):
    version = services.h5p_package_import(source=io.BytesIO(package()), filename="goi.h5p")
    activity = version.activity
    assert activity.title == "Nhận biết tin nhắn lừa đảo"
    assert version.number == 1
    assert version.main_library == "HVS.Check"
    assert version.content_types == ["HVS.Check"]
    assert version.library_names == ["HVS.Check 1.0.2"]
    folder = media / "h5p" / "content" / str(version.folder)
    assert (folder / "HVS.Check-1.0" / "check.js").read_bytes().startswith(b"H5P.HVSCheck")
    assert (folder / "content" / "content.json").exists()
    assert version.package.read().startswith(b"PK")
    assert len(version.sha256) == 64


def test_replacing_the_package_keeps_every_version(media):
    first = services.h5p_package_import(source=io.BytesIO(package()), filename="v1.h5p")
    changed = package(**{"content__content.json": json.dumps({"q": "Câu hỏi mới?"}).encode()})
    second = services.h5p_package_import(
        source=io.BytesIO(changed), filename="v2.h5p", activity=first.activity
    )
    assert second.number == 2
    assert first.activity.current == second
    assert H5PPackageVersion.objects.filter(activity=first.activity).count() == 2
    for version in (first, second):
        assert (media / "h5p" / "content" / str(version.folder) / "h5p.json").exists()
    old = media / "h5p" / "content" / str(first.folder) / "content" / "content.json"
    assert json.loads(old.read_text())["q"].startswith("Tin nhắn")


# --- Refused, each with its reason, and nothing written -------------------------------------


@pytest.mark.parametrize(
    "changes, code, words",
    [
        ({"h5p.json": None}, "missing-h5p-json", "h5p.json"),
        ({"content__content.json": None}, "missing-content-json", "content/content.json"),
        ({"h5p.json": b"{not json"}, "invalid-h5p-json", "h5p.json"),
        ({"content__content.json": b"[1, 2"}, "invalid-content-json", "content/content.json"),
        ({"h5p.json": b'{"title": "x"}'}, "invalid-h5p-json-schema", "mainLibrary"),
        ({"content__bai-giang.html": b"<script>"}, "file-type", "bai-giang.html"),
        ({"content__shell.php": b"<?php"}, "file-type", ".php"),
        ({"HVS.Check-1.0__setup.exe": b"MZ"}, "file-type", ".exe"),
        ({"content__script.js": b"alert(1)"}, "file-type", "content/script.js"),
        ({"HVS.Check-1.0__check.js": None}, "library-file-missing", "check.js"),
        ({"HVS.Check-1.0__check.css": None}, "library-file-missing", "check.css"),
        (
            {"HVS.Check-1.0__library.json": json.dumps({"machineName": "HVS.Check"}).encode()},
            "invalid-library-json",
            "HVS.Check-1.0",
        ),
        ({"HVS.Check-1.0__language__vi.json": b"{oops"}, "invalid-language-file-json", "vi.json"),
        ({"HVS.Check-1.0__language__X!.json": b"{}"}, "invalid-language-file", "X!.json"),
    ],
)
def test_broken_package_is_refused_with_its_reason(media, changes, code, words):
    refused = refusal(package(**changes))
    assert refused.code == code
    assert words in str(refused)
    assert nothing_written(media)
    assert not H5PActivity.objects.exists()


def test_library_folder_must_match_its_library_json(media):
    files = entries()
    files = {name.replace("HVS.Check-1.0/", "HVS.Check-2.0/"): data for name, data in files.items()}
    refused = refusal(package(files))
    assert refused.code == "library-directory-name-mismatch"
    assert "HVS.Check-1.0" in str(refused)


def test_messages_are_vietnamese():
    refused = refusal(package(**{"content__x.php": b""}))
    assert "không cho phép" in str(refused)


# --- Hostile archives -------------------------------------------------------------------------


def hostile(name: str, data: bytes = b"x", *, mode: int | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive_file:
        for entry, content in entries().items():
            archive_file.writestr(entry, content)
        info = zipfile.ZipInfo(name)
        if mode is not None:
            info.external_attr = mode << 16
        archive_file.writestr(info, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "data, code",
    [
        (hostile("../../thoat-ra.json", b"{}"), "unsafe-path"),
        (hostile("content/../../../etc/passwd.txt"), "unsafe-path"),
        (hostile("/etc/cron.d/x.json", b"{}"), "unsafe-path"),
        (hostile("C:/Windows/x.json", b"{}"), "unsafe-path"),
        (hostile("content/lien-ket.png", b"/etc/passwd", mode=stat.S_IFLNK | 0o777), "symlink"),
        (hostile("content/hack.php", b"<?php system($_GET['c']);"), "file-type"),
        (b"", "not-a-zip"),
        (b"day khong phai la zip" * 10, "not-a-zip"),
    ],
    ids=["zip-slip", "zip-slip-nested", "absolute", "drive", "symlink", "php", "empty", "not-zip"],
)
def test_hostile_archive_is_refused_and_writes_nothing(media, tmp_path, data, code):
    refused = refusal(data)
    assert refused.code == code
    assert nothing_written(media)
    assert {p.name for p in tmp_path.iterdir()} <= {"media"}
    assert not (tmp_path / "thoat-ra.json").exists()


def test_an_empty_zip_is_refused(media):
    buffer = io.BytesIO()
    zipfile.ZipFile(buffer, "w").close()
    assert refusal(buffer.getvalue()).code == "empty"


@pytest.fixture(scope="module")
def gigabyte_bomb(tmp_path_factory) -> Path:
    """A real zip bomb: one member of 1 GiB of zeros, about 1 MB on disk."""
    path = tmp_path_factory.mktemp("bomb") / "bomb.h5p"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as bomb:
        for name, data in entries().items():
            bomb.writestr(name, data)
        chunk = bytes(1024 * 1024)
        with bomb.open("content/video.mp4", "w", force_zip64=True) as member:
            for _ in range(1024):
                member.write(chunk)
    return path


def test_gigabyte_zip_bomb_is_refused_without_inflating_it(media, gigabyte_bomb):
    assert gigabyte_bomb.stat().st_size < 5 * 1024 * 1024
    tracemalloc.start()
    with gigabyte_bomb.open("rb") as source, pytest.raises(services.H5PImportRefused) as caught:
        services.h5p_package_import(source=source, filename="bomb.h5p")
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert caught.value.code in {"too-large", "file-too-large"}
    assert "MB" in str(caught.value)
    assert peak < 20 * 1024 * 1024  # the gigabyte was never read into memory
    assert nothing_written(media)


def test_thirty_thousand_files_are_refused(media):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as crowded:
        for name, data in entries().items():
            crowded.writestr(name, data)
        for number in range(30_000):
            crowded.writestr(f"content/t/{number}.txt", b"")
    refused = refusal(buffer.getvalue())
    assert refused.code == "too-many-files"
    assert "30.00" in str(refused)
    assert nothing_written(media)


def test_limits_come_from_settings(media, settings):
    settings.H5P_MAX_FILES = 5
    assert refusal(package()).code == "too-many-files"
    settings.H5P_MAX_FILES = 10_000
    settings.H5P_MAX_UNCOMPRESSED_BYTES = 100
    assert refusal(package()).code == "too-large"
    settings.H5P_MAX_UNCOMPRESSED_BYTES = 500 * 1024 * 1024
    settings.H5P_MAX_UPLOAD_BYTES = 100
    assert refusal(package()).code == "upload-too-large"


def test_extraction_itself_refuses_a_path_outside_its_folder(tmp_path):
    """The second guard: even a manifest that let ``..`` through writes nothing outside."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as crafted:
        crafted.writestr("../thoat-ra.txt", b"x")
    manifest = archive.Manifest(
        title="x",
        main_library="x",
        language="vi",
        libraries=[],
        content_types=[],
        params={},
        files=["../thoat-ra.txt"],
    )
    with pytest.raises(archive.H5PRefused) as caught:
        archive.extract(buffer, manifest, tmp_path / "out" / "goi")
    assert caught.value.code == "unsafe-path"
    assert not (tmp_path / "out" / "thoat-ra.txt").exists()
    assert not (tmp_path / "thoat-ra.txt").exists()


def test_extraction_counts_what_it_writes_even_if_headers_lie(tmp_path):
    """A header that understates a member's size cannot make extraction write more."""
    data = package()
    manifest = archive.inspect(io.BytesIO(data))
    small = archive.Limits(max_uncompressed_bytes=60)
    with pytest.raises(archive.H5PRefused) as caught:
        archive.extract(io.BytesIO(data), manifest, tmp_path / "out", limits=small)
    assert caught.value.code == "too-large"


# --- The corpus -------------------------------------------------------------------------------


VALID = [path for path in corpus_packages() if path.name != "interactive_book.h5p"]


@pytest.mark.parametrize("path", VALID or [None], ids=lambda p: p.name if p else "none")
def test_corpus_package_imports(media, path):
    needs_corpus()
    with path.open("rb") as source:
        version = services.h5p_package_import(source=source, filename=path.name)
    folder = media / "h5p" / "content" / str(version.folder)
    assert (folder / "h5p.json").exists()
    for library in version.libraries:
        assert any(folder.glob(f"{library['name']}-*/library.json"))
    assert version.main_library in version.content_types
    assert version.content_types[0] == version.main_library


def test_corpus_interactive_book_lacks_its_built_scripts_and_is_refused(media):
    """interactive_book.h5p is h5p-standalone's test workspace zipped from git, where built
    files are ignored: two libraries list dist/*.js files that are not in it, so it could not
    play anywhere. It is refused, naming both."""
    needs_corpus()
    path = next(p for p in corpus_packages() if p.name == "interactive_book.h5p")
    refused = refusal(path.read_bytes())
    assert refused.code == "several"
    assert "dist/h5p-interactive-book.js" in str(refused)
    assert "dist/h5p-drag-text.js" in str(refused)


CORPUS_INVALID = {
    "corrupt_archive.h5p": ("not-a-zip", "không phải gói H5P"),
    "broken-h5p-json.h5p": ("invalid-h5p-json", "h5p.json"),
    "broken-content-json.h5p": ("invalid-content-json", "content/content.json"),
    "invalid-h5p-json-schema.h5p": ("invalid-h5p-json-schema", "mainLibrary"),
    "malformed-library-directory.h5p": ("invalid-library-name", "library!"),
    "invalid-library-directory-name.h5p": (
        "library-directory-name-mismatch",
        "H5P.AnotherLibrary-1.0",
    ),
    "invalid-library-json.h5p": ("invalid-library-json", "H5P.GreetingCard-1.0"),
    "missing-preloaded-js.h5p": ("library-file-missing", "greetingcard.js"),
    "invalid-language-file-json.h5p": ("invalid-language-file-json", "language/fr.json"),
    "2-invalid-libraries.h5p": ("several", "XXX!.json"),
}


@pytest.mark.parametrize(
    "path", corpus_packages("invalid") or [None], ids=lambda p: p.name if p else "none"
)
def test_corpus_invalid_package_is_refused_with_its_reason(media, settings, path):
    needs_corpus()
    if path.name == "invalid-core-version.h5p":
        # It asks for core API 1.19, which our player provides (and which nine valid hub
        # packages ask for too). Lumi's validator refuses it because its own core is older;
        # against a player of core 1.18 ours does the same.
        settings.H5P_CORE_API = (1, 18)
        code, words = "api-version-unsupported", "1.19"
    else:
        code, words = CORPUS_INVALID[path.name]
    refused = refusal(path.read_bytes())
    assert refused.code == code
    assert words in str(refused)
    if path.name == "2-invalid-libraries.h5p":
        assert "title" in str(refused) or "tên" in str(refused)
    assert nothing_written(media)


def test_corpus_core_version_package_plays_with_our_player(media):
    needs_corpus()
    path = next(p for p in corpus_packages("invalid") if p.name == "invalid-core-version.h5p")
    version = services.h5p_package_import(source=io.BytesIO(path.read_bytes()), filename="x.h5p")
    assert version.main_library == "H5P.GreetingCard"


# --- The command ------------------------------------------------------------------------------


def test_import_command_prints_the_new_id(tmp_path, capsys):
    path = tmp_path / "goi.h5p"
    path.write_bytes(package())
    call_command("import_h5p", str(path), "--title", "Nhận diện lừa đảo qua tin nhắn")
    activity = H5PActivity.objects.get()
    assert capsys.readouterr().out.strip() == str(activity.pk)
    assert activity.title == "Nhận diện lừa đảo qua tin nhắn"


def test_import_command_exits_non_zero_with_the_reason(tmp_path, media):
    path = tmp_path / "hong.h5p"
    path.write_bytes(package(**{"content__x.php": b""}))
    with pytest.raises(CommandError) as caught:
        call_command("import_h5p", str(path))
    assert "file-type" in str(caught.value) and "x.php" in str(caught.value)
    assert not H5PActivity.objects.exists()


def test_import_command_replaces_a_package(tmp_path):
    path = tmp_path / "goi.h5p"
    path.write_bytes(package())
    call_command("import_h5p", str(path))
    activity = H5PActivity.objects.get()
    call_command("import_h5p", str(path), "--replace", str(activity.pk))
    assert activity.versions.count() == 2


# --- The admin --------------------------------------------------------------------------------


@pytest.fixture
def editor(client, django_user_model):
    user = django_user_model.objects.create_superuser(
        username="bientap", email="bientap@example.vn", password="x" * 12, full_name="Biên Tập"
    )
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    client.force_login(user)
    return user


def upload(data: bytes, name: str = "goi.h5p"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="application/zip")


def test_admin_upload_creates_an_activity_listing_what_it_uses(client, editor):
    add = "/admin/snippets/assessments/h5pactivity/add/"
    response = client.post(
        add,
        {
            "title": "",
            "package_file": upload(package()),
            "grading_method": "best",
            "pass_mark": "80",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    activity = H5PActivity.objects.get()
    assert activity.title == "Nhận biết tin nhắn lừa đảo"
    assert activity.current.uploaded_by == editor
    listing = client.get("/admin/snippets/assessments/h5pactivity/").content.decode()
    assert "HVS.Check" in listing
    edit = client.get(f"/admin/snippets/assessments/h5pactivity/edit/{activity.pk}/")
    assert "HVS.Check 1.0.2" in edit.content.decode()


def test_admin_upload_of_a_hostile_package_shows_the_reason_and_saves_nothing(client, editor):
    response = client.post(
        "/admin/snippets/assessments/h5pactivity/add/",
        {
            "title": "Gói độc",
            "package_file": upload(hostile("../../x.json", b"{}")),
            "grading_method": "best",
            "pass_mark": "70",
        },
    )
    assert response.status_code == 200
    assert "ra ngoài gói" in response.content.decode()
    assert not H5PActivity.objects.exists()


def test_admin_replacing_the_file_adds_a_version(client, editor):
    version = services.h5p_package_import(source=io.BytesIO(package()), filename="v1.h5p")
    activity = version.activity
    response = client.post(
        f"/admin/snippets/assessments/h5pactivity/edit/{activity.pk}/",
        {
            "title": activity.title,
            "package_file": upload(package(), "v2.h5p"),
            "grading_method": "last",
            "pass_mark": "70",
        },
    )
    assert response.status_code == 302
    assert activity.versions.count() == 2
    page = client.get(f"/admin/snippets/assessments/h5pactivity/edit/{activity.pk}/")
    assert page.content.decode().count("HVS.Check 1.0.2") == 2


def test_deleting_an_activity_removes_its_files_once_committed(media, on_commit):
    version = services.h5p_package_import(source=io.BytesIO(package()), filename="v1.h5p")
    folder = media / "h5p" / "content" / str(version.folder)
    package_file = Path(version.package.path)
    with on_commit():
        version.activity.delete()
        assert folder.exists()  # a rolled-back deletion must still play
    assert not folder.exists()
    assert not package_file.exists()


@pytest.mark.parametrize(
    "extra, code",
    [
        ({"./h5p.json": b"{}"}, "unsafe-path"),
        ({"content//anh.png": b"x"}, "unsafe-path"),
        ({"content/anh.png/khac.png": b"x", "content/anh.png": b"x"}, "duplicate-entry"),
        ({"content/sau.json": b"[" * 100_000, "h5p.json": b"[" * 100_000}, "invalid-h5p-json"),
    ],
    ids=["dot-slash", "double-slash", "file-and-folder", "deep-json"],
)
def test_odd_archives_are_refused_not_crashed_on(media, extra, code):
    files = {**entries(), **extra}
    assert refusal(package(files)).code == code
    assert nothing_written(media)
