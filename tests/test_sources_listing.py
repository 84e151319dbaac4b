"""``ogi sources`` piped (as in a cron mail or ``| less``): one whole line per source, nothing cut to fit."""

from __future__ import annotations

from tests.test_sources import GENERATED, ogi, write_seed


def test_piped_listing_keeps_every_field_whole(tmp_path):
    seed = write_seed(tmp_path / "seed.csv", GENERATED)
    assert ogi("sources", "import", str(seed), "--data-dir", str(tmp_path / "data")).returncode == 0
    listing = ogi("sources", "--province", "61", "--data-dir", str(tmp_path / "data"))
    assert listing.returncode == 0, listing.stderr
    lines = [line for line in listing.stdout.splitlines() if " 61" in line and "reports" in line]
    as_json = ogi("sources", "--province", "61", "--json", "--data-dir", str(tmp_path / "data")).stdout
    assert len(lines) == len(as_json.splitlines()) >= 4  # one line per source: the seed's four, the override files'
    assert "cn-610328 610328 千阳县 [family unknown] ok, unconfirmed, last crawl never, 0 reports" in lines
    assert any(line.startswith("cn-610331 610331 太白县 [family unknown] not_government,") for line in lines)
    assert any(line.startswith("linyou 610329 麟游县 [") for line in lines)
    assert "…" not in listing.stdout.split("Per province")[0]
