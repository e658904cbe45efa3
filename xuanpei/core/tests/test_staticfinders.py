"""The vendor finder exposes the files the templates load, and nothing else of the packages."""

from pathlib import Path

from django.contrib.staticfiles import finders
from django.test import override_settings

from xuanpei.core.staticfinders import VendorFinder


def listed(finder: VendorFinder) -> set[str]:
    return {f"{storage.prefix}/{rel}" for rel, storage in finder.list([])}


def test_only_the_files_the_pages_load_are_collected():
    files = listed(VendorFinder())
    vendor = {f for f in files if f.startswith("vendor/echarts/")}
    assert vendor == {"vendor/echarts/echarts.min.js"}  # not the other 15 builds and maps
    # A source map named by a collected file comes with it (the manifest storage needs it).
    assert "vendor/bootstrap/css/bootstrap.min.css.map" in files
    assert "vendor/bootstrap/css/bootstrap.css" not in files
    assert "vendor/bootstrap-icons/fonts/bootstrap-icons.woff2" in files
    assert "vendor/htmx/htmx.min.js" in files


def test_findstatic_finds_a_listed_file_and_not_an_unlisted_one():
    assert finders.find("vendor/echarts/echarts.min.js").endswith("echarts/dist/echarts.min.js")
    assert finders.find("vendor/echarts/echarts.js") is None


def test_a_pattern_that_matches_no_file_is_a_start_up_error(tmp_path: Path):
    (tmp_path / "lib.min.js").write_text("//")
    entries = {"vendor/lib": (tmp_path, ["lib.min.js", "lib.min.css"])}
    with override_settings(VENDOR_STATIC=entries):
        errors = VendorFinder().check()
    assert [e.id for e in errors] == ["xuanpei.E020"]
    assert "vendor/lib/lib.min.css" in errors[0].msg and "make install" in errors[0].msg


def test_production_static_files_are_gzipped_not_brotli_compressed(settings):
    from xuanpei.core.staticstorage import GzipManifestStaticFilesStorage

    compressor = GzipManifestStaticFilesStorage().create_compressor(quiet=True)
    assert compressor.use_gzip and not compressor.use_brotli
