"""The shipped default model: it loads, it is small, and it says sensible things."""
import pytest

from assistant import Assistant
from assistant.core.paths import default_model_dir

pytestmark = pytest.mark.model

MAX_BYTES = 40_000_000


@pytest.fixture(scope="module")
def shipped():
    return Assistant()


def test_default_model_is_the_shipped_one_and_under_40_mb(shipped):
    assert shipped.model_dir == default_model_dir()
    size = sum(f.stat().st_size for f in shipped.model_dir.iterdir() if f.is_file())
    assert size <= MAX_BYTES, f"{size / 1e6:.1f} MB"


def test_manifest_records_measured_test_scores(shipped):
    test = shipped.manifest.metrics["tweeteval_test"]
    assert test["n"] == 50_000
    assert test["macro_f1"] > 25.8  # the published FastText baseline
    assert shipped.manifest.metrics["es_trial_heldout"]["n"] > 1000


@pytest.mark.parametrize("text, expected", [
    ("I love pizza", "🍕"),
    ("Me encanta la paella", "🥘"),
    ("Merry Christmas everyone! 🎅", "🎄"),
    ("I love you so much my darling", "❤️"),
    ("Happy 4th of July! God bless America", "🇺🇸"),
])
def test_sensible_top_suggestions(shipped, text, expected):
    assert expected in [s.emoji for s in shipped.suggest(text, k=5)]
