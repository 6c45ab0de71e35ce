"""The logit adjustment's pick: the best validation macro-F1, or the least adjustment near it."""
import numpy as np

from training.lib.calibrate import fit_logit_adjustment, macro_f1_by_language


def validation_set(seed: int = 0):
    """Two languages, four labels of very unequal frequency, logits that lean to the popular ones."""
    rng = np.random.default_rng(seed)
    prior = np.array([0.6, 0.25, 0.1, 0.05])
    gold = rng.choice(4, size=400, p=prior)
    logits = rng.normal(size=(400, 4)) + 1.5 * np.eye(4)[gold] + np.log(prior)
    langs = np.array(["en", "es"] * 200)
    return logits, gold, langs, np.log(prior)


def test_without_tolerance_the_best_validation_macro_f1_is_picked():
    logits, gold, langs, log_prior = validation_set()
    taus = np.linspace(-0.5, 1.5, 41)
    tau, score = fit_logit_adjustment(logits, gold, langs, log_prior, taus)
    scores = [macro_f1_by_language(logits - t * log_prior, gold, langs) for t in taus]
    assert score == max(scores) and score == macro_f1_by_language(logits - tau * log_prior, gold, langs)
    assert tau > 0  # logits leaning to the popular labels: taking the prior out helps macro-F1


def test_within_the_tolerance_the_least_adjustment_wins():
    logits, gold, langs, log_prior = validation_set()
    best_tau, best = fit_logit_adjustment(logits, gold, langs, log_prior)
    tau, score = fit_logit_adjustment(logits, gold, langs, log_prior, tolerance=1.0)
    assert abs(tau) <= abs(best_tau) and score >= best - 1.0
    assert score == macro_f1_by_language(logits - tau * log_prior, gold, langs)
    tau, _ = fit_logit_adjustment(logits, gold, langs, log_prior, tolerance=100.0)
    assert abs(tau) < 1e-9  # every tau qualifies: no adjustment at all
