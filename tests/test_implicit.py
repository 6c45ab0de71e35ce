"""training.explain: pronunciation, community table, synthesis, splits, ranker training and int8 export."""
import gzip
import json
import random
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from assistant.core.emojis import find_emojis
from assistant.core.explain import KINDS
from tests.test_decoder import TABLE
from training.explain.community import COMMUNITY
from training.explain.synthesize import (EVALUATION_CASES, Substitutions, SynthConfig, read_cases, split_of,
                                         synthesize)

ROOT = Path(__file__).resolve().parents[1]
TABLE_WITH_LITERAL = {**TABLE, "literal": {"en": {"🌙": ["crescent moon", "moon", "night"]}}}


def test_pinyin_keys_make_rebus_parts():
    from training.explain.pronounce import pronounce, similarity

    assert pronounce(["鸭梨", "压力"], "zh") == ["ya li", "ya li"]
    assert similarity("ya li", "ya li") == 1.0


@pytest.mark.needs("espeak-ng")
def test_espeak_keys_ignore_stress_and_length():
    from training.explain.pronounce import pronounce

    bee, be, believe = pronounce(["bee", "be", "believe"], "en")
    assert bee == be and believe.startswith("b")


def test_split_puns_match_the_rest_of_a_word_voicing_aside():
    from training.explain.split_puns import devoiced, rests

    assert devoiced("liv") == devoiced("lif") == "lif"  # "lieve" and "leaf"
    partword = {"🐝": [["be", "believe"], ["be", "maybe"], ["be", "bet"]]}
    assert rests(partword) == [("🐝", "believe", "lieve", "after"), ("🐝", "maybe", "may", "before")]  # no "t"


@pytest.mark.needs("espeak-ng")
def test_split_puns_find_the_common_words_that_sound_like_the_rest():
    from training.explain.split_puns import split_puns

    partword = {"🐝": [["be", "believe"], ["be", "maybe"]]}
    rows = split_puns(partword, ["may", "leaf", "cat", "believe"], "en", min_similarity=0.7, per_word=3,
                      per_emoji=60)["🐝"]
    assert ["leaf", "believe", "after", 1.0] in rows and ["may", "maybe", "before", 1.0] in rows
    assert not any(row[0] in ("cat", "believe") for row in rows)
    assert len(split_puns(partword, ["may", "leaf"], "en", min_similarity=0.7, per_word=1, per_emoji=1)["🐝"]) == 1
    assert split_puns({"🦆": [["压", "压力"]]}, ["力"], "zh", min_similarity=0.7, per_word=3, per_emoji=60) == {}


def test_split_puns_are_written_with_words_not_with_endings_or_the_commonest_words():
    from training.explain.split_puns import neighbour_words

    assert neighbour_words(["is", "may", "you", "leaf", "ed"], "en", max_zipf=6.0) == ["may", "leaf"]


def test_synthesis_writes_split_puns_apart_and_weighs_each_emojis_forms_as_one():
    table = {**TABLE, "split": {"en": {"🐝": [["leaf", "believe", "after", 1.0], ["leave", "believe", "after", 1.0]]}}}
    subs = Substitutions(table, "en")
    options = subs.options("believe")
    assert ("🐝 leaf", "homophone", "believe") in options and ("🐝lieve", "homophone", "be") in options
    picks = Counter(subs.pick("believe", options, random.Random(i))[0] for i in range(3000))
    assert 0.4 < (picks["🐝 leaf"] + picks["🐝 leave"]) / 3000 < 0.6  # the two apart forms weigh as one option


def test_community_table_keys_are_emojis_with_word_meanings():
    for seq, meanings in COMMUNITY.items():
        assert find_emojis(seq), seq
        assert "en" in meanings and all(m and m.strip() == m for ms in meanings.values() for m in ms)


def test_synthesis_replaces_words_and_records_the_answer():
    subs, rng = Substitutions(TABLE_WITH_LITERAL, "en"), random.Random(0)
    cfg = SynthConfig(replace_ratio=1.0, decorative_rate=0.0)
    row = synthesize("I believe you are dead tonight", "en", subs, rng, cfg)
    kinds = {t["kind"] for t in row["targets"]}
    assert kinds <= {"homophone", "slang"} and len(row["targets"]) == 3  # I → 👁️, believe → 🐝lieve, dead → 💀
    for t in row["targets"]:
        assert row["text"][t["offset"]:].startswith(t["emoji"][:1]) or t["emoji"][0].isalpha()
    assert synthesize("nothing to replace here", "en", subs, rng, cfg) is None


def test_literal_substitutions_favour_the_emoji_a_word_names():
    table = {**TABLE, "literal": {"en": {"🧀": ["cheese wedge", "cheese"], "🍕": ["pizza", "cheese", "food"],
                                         "🍔": ["hamburger", "food"]}}}
    subs, rng = Substitutions(table, "en", frequency=lambda word, lang: 4.0), random.Random(0)
    picks = [subs.pick("cheese", subs.options("cheese"), rng)[0] for _ in range(2000)]
    assert 0.85 < picks.count("🧀") / len(picks) < 0.93  # in the name 1 against keyword 0.25 / 2 emojis
    assert subs.literal_chance("pizza", subs.options("pizza")) == 1.0
    assert subs.literal_chance("food", subs.options("food")) == pytest.approx(0.25)  # only ever a keyword


def test_a_term_is_in_a_name_as_a_word_or_a_compound_piece():
    from training.explain.synthesize import in_name

    assert in_name("cheese", "cheese wedge") and in_name("beere", "erdbeere") and in_name("月", "月饼")
    assert not in_name("i", "information") and not in_name("art", "party popper")


def test_frequent_words_seldom_become_literal_emojis():
    table = {**TABLE, "literal": {"en": {"ℹ️": ["information", "i"], "🍕": ["pizza"]}}}
    zipf = {"i": 7.0, "pizza": 4.4}
    subs, rng = Substitutions(table, "en", literal_zipf=5.0, frequency=lambda w, lang: zipf[w]), random.Random(0)
    assert subs.literal_chance("pizza", subs.options("pizza")) == 1.0
    assert subs.literal_chance("i", subs.options("i")) == pytest.approx(0.25 * 0.01)  # a keyword, 100× too frequent
    literal = [o for o in subs.options("i") if o[1] == "literal"]
    assert sum(bool(subs.kept_options("i", literal, rng)) for _ in range(1000)) < 15
    mixed = [("ℹ️", "literal", "i"), ("👁️", "homophone", "eye")]  # a sound-alike is always kept
    assert all(subs.kept_options("i", mixed, rng)[-1][1] == "homophone" for _ in range(50))


def test_synthesis_drops_source_sentences_that_contain_an_evaluation_case(tmp_path, capsys):
    from training.explain import synthesize as synth

    with gzip.open(tmp_path / "candidates.json.gz", "wt", encoding="utf-8") as f:
        json.dump(TABLE_WITH_LITERAL, f)
    cases, dev_cases = tmp_path / "cases.jsonl", tmp_path / "dev_cases.jsonl"
    cases.write_text(json.dumps({"text": "good 🌙 everyone", "lang": "en", "emoji": "🌙", "kind": "literal",
                                 "answers": ["night", "moon"]}) + "\n", encoding="utf-8")
    dev_cases.write_text(json.dumps({"text": "so tired 😴", "lang": "en", "emoji": "😴", "kind": "decorative",
                                     "answers": []}) + "\n", encoding="utf-8")
    text = tmp_path / "en.txt"
    text.write_text("Good  Night everyone and I believe\nI am so tired today dead\nI believe you are dead tonight\n",
                    encoding="utf-8")
    out = tmp_path / "examples.jsonl"
    synth.main(["--table", str(tmp_path / "candidates.json.gz"), "--text", f"en:{text}", "--langs", "en",
                "--exclude", str(cases), str(dev_cases), "--replace-ratio", "1", "--out", str(out)])
    sources = {json.loads(line)["source_text"] for line in out.read_text(encoding="utf-8").splitlines()}
    assert "I believe you are dead tonight" in sources
    # the case read with "night", and the decorative case; ritual messages are dropped the same way
    assert not any(s.startswith(("Good  Night", "I am so tired")) for s in sources)
    assert "good night everyone" not in sources and "merry Christmas everyone" in sources
    assert "dropped 2 source sentences" in capsys.readouterr().out

    synth.main(["--table", str(tmp_path / "candidates.json.gz"), "--text", f"en:{text}", "--langs", "en",
                "--exclude", "", "--replace-ratio", "1", "--out", str(out)])
    sources = {json.loads(line)["source_text"] for line in out.read_text(encoding="utf-8").splitlines()}
    assert {"Good  Night everyone and I believe", "I am so tired today dead"} <= sources


def test_corpora_split_fortune_files_and_plain_lines_into_sentences(tmp_path, capsys):
    from training.explain import corpora

    fortunes = tmp_path / "fortunes"
    fortunes.mkdir()
    (fortunes / "zitate").write_text(
        "Wer rastet, der rostet. Zu kurz.\n"
        "Morgenstund hat Gold im Mund\n  und Blei im Hintern.\n\t\t-- Sprichwort\n%\n"
        "\x1b[33mSiehe https://example.org für mehr Zitate.\x1b[m\n%\n"
        "Wer rastet, der rostet.\n", encoding="utf-8")
    (fortunes / "zitate.dat").write_bytes(b"\x00\x02 index")
    out = tmp_path / "de.txt"
    corpora.main(["--lang", "de", "--out", str(out), str(fortunes)])
    assert out.read_text(encoding="utf-8").splitlines() == [
        "Wer rastet, der rostet.", "Morgenstund hat Gold im Mund und Blei im Hintern."]
    assert "de: 2 sentences" in capsys.readouterr().out

    reviews = tmp_path / "reviews.txt"
    reviews.write_text("房间很干净，早餐也不错。服务太慢了！好\n", encoding="utf-8")
    assert corpora.collect([reviews], "zh") == ["房间很干净，早餐也不错。", "服务太慢了！"]
    with pytest.raises(SystemExit):
        corpora.main(["--lang", "de", "--out", str(out), str(tmp_path / "missing")])


def test_chinese_source_lines_need_characters_not_spaces():
    from training.explain.synthesize import long_enough

    assert long_enough("我们明天去海边玩", "zh") and not long_enough("好的", "zh")
    assert long_enough("see you tomorrow", "en") and not long_enough("see you", "en")


def test_kind_prior_shift_moves_scores_towards_the_real_mix():
    from training.explain.kind_prior import counted_shift as kind_prior_shift

    trained = {"homophone": 600.0, "literal": 100.0, "keyword": 100.0, "decorative": 200.0}
    same = kind_prior_shift(trained, {"homophone": 599, "literal": 99, "keyword": 99, "decorative": 199})
    assert all(abs(v) < 1e-9 for v in same.values()) and set(same) == set(trained)
    real = kind_prior_shift(trained, {"homophone": 2, "literal": 60, "keyword": 20, "decorative": 10})
    assert real["literal"] > real["keyword"] > 0 > real["homophone"]  # names gain more than keywords


def test_fitted_shift_favours_the_kinds_that_read_real_cases_right():
    from assistant.core.explain import KINDS
    from training.explain.kind_prior import fit_shift

    onehot = np.eye(len(KINDS))
    literal, slang = onehot[KINDS.index("literal")], onehot[KINDS.index("slang")]
    # every case: a name scored 1.0 above a slang meaning, and the slang meaning is the right reading
    scored = [(np.array([1.0, 0.0]), np.stack([literal, slang]), np.array([False, True]))] * 20
    start = {"literal": 0.0, "slang": 0.0, "homophone": 0.5}
    shift = fit_shift(scored, start, l2=1e-3)
    assert shift["slang"] - shift["literal"] > 2.0 and set(shift) == set(start)
    assert shift["homophone"] == 0.5  # no case offers it: it keeps its start
    pulled = fit_shift(scored, start, l2=10.0)  # a strong pull keeps it near the start
    assert 0 < pulled["slang"] - pulled["literal"] < 0.2


def test_a_hand_written_answer_takes_the_kind_of_the_first_candidate_that_reads_it():
    from assistant.core.explain import CandidateTable
    from assistant.core.lexicon import Lexicon
    from training.explain.kind_prior import case_answer_kind

    table, lexicon = CandidateTable(TABLE), Lexicon.load()
    name, keyword = lexicon.name("🍕", "en"), lexicon.keywords("🍕", "en")[0]
    case = {"text": "grabbing 🍕 later", "lang": "en", "emoji": "🍕", "kind": "literal"}
    assert case_answer_kind({**case, "answers": [keyword, name]}, table, lexicon) == "literal"  # the name first
    assert case_answer_kind({**case, "answers": [keyword]}, table, lexicon) == "keyword"
    assert case_answer_kind({**case, "answers": ["spaceship"]}, table, lexicon) is None
    assert case_answer_kind({**case, "kind": "decorative", "answers": [""]}, table, lexicon) == "decorative"
    assert case_answer_kind({**case, "emoji": "🚀"}, table, lexicon) is None  # not in the text
    skull = {"text": "that meme 💀", "lang": "en", "emoji": "💀", "answers": ["dead", lexicon.name("💀", "en")]}
    assert case_answer_kind({**skull, "kind": "slang"}, table, lexicon) == "slang"  # the case's own kind first
    assert case_answer_kind({**skull, "kind": "literal"}, table, lexicon) == "literal"


def test_splits_are_by_sentence():
    cfg = SynthConfig()
    assert split_of("Same sentence ", cfg) == split_of("same sentence", cfg)
    shares = [split_of(f"sentence {i}", cfg) for i in range(2000)]
    assert 0.05 < shares.count("test") / 2000 < 0.15


def test_config_checks_name_the_bad_value():
    with pytest.raises(ValueError, match="replace_ratio"):
        SynthConfig(replace_ratio=1.5)


def test_kind_balance_evens_out_the_weight_of_each_kind():
    from training.explain.train_ranker import kind_weights

    kinds = ["homophone"] * 6 + ["literal"] * 3 + ["slang"]
    np.testing.assert_allclose(kind_weights(kinds, 0.0), 1.0)
    balanced = kind_weights(kinds, 1.0)
    assert balanced.mean() == pytest.approx(1.0)
    totals = {k: balanced[[i for i, x in enumerate(kinds) if x == k]].sum() for k in set(kinds)}
    assert max(totals.values()) == pytest.approx(min(totals.values()))
    half = kind_weights(kinds, 0.5)
    assert half[0] < half[6] < half[9]  # rarer kinds weigh more, but less than fully balanced
    assert half[9] / half[0] < balanced[9] / balanced[0]


def _examples_and_table(tmp_path):
    out = tmp_path / "decoder"
    out.mkdir()
    with gzip.open(out / "candidates.json.gz", "wt", encoding="utf-8") as f:
        json.dump(TABLE_WITH_LITERAL, f)
    subs, rng, cfg = Substitutions(TABLE_WITH_LITERAL, "en"), random.Random(0), SynthConfig(replace_ratio=1.0)
    rows = []
    for i, sentence in enumerate(["I believe it", "you are dead", "good moon", "we believe", "so dead now"] * 8):
        row = synthesize(sentence, "en", subs, rng, cfg)
        row["split"] = "val" if i % 5 == 0 else "train"
        rows.append(json.dumps(row, ensure_ascii=False))
    (tmp_path / "examples.jsonl").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return tmp_path / "examples.jsonl", out


def test_ranker_trains_with_context_exports_and_binds_to_its_predictor(tmp_path, tiny_model, capsys):
    pytest.importorskip("torch")
    from assistant.core.assistant import Assistant
    from assistant.core.explain import Decoder
    from assistant.core.explain import explain
    from assistant.core.lexicon import Lexicon
    from training.explain import export_ranker, train_ranker

    examples, out = _examples_and_table(tmp_path)
    train_ranker.main(["--examples", str(examples), "--table", str(out / "candidates.json.gz"),
                        "--predictor", str(tiny_model), "--epochs", "2", "--kind-balance", "0.5",
                        "--out", str(tmp_path / "ranker.pt")])
    with pytest.raises(SystemExit, match="--predictor"):  # the prior is fitted with the ranker's own predictor
        export_ranker.main(["--checkpoint", str(tmp_path / "ranker.pt"), "--out", str(out)])
    export_ranker.main(["--checkpoint", str(tmp_path / "ranker.pt"), "--out", str(out), "--predictor", str(tiny_model),
                        "--version", "2.1.0"])
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert "context.npz" in manifest["files"] and manifest["context"]["rank"] == 64
    assert manifest["version"] == "2.1.0"
    prior = manifest["kind_prior"]  # the development set's answers by default
    shift = prior["shift"]
    assert set(shift) == set(prior["counted"]) == set(prior["train_answers"]) and prior["fit"]["cases"] > 100
    sound = [v for k, v in prior["counted"].items() if k in ("homophone", "partword", "split")]
    assert sound and prior["counted"]["keyword"] > max(sound)  # "moon" is a keyword of 🌙 ("crescent moon")

    decoder = Decoder.load(out, token_states=Assistant(tiny_model).token_states())
    assert decoder.context is not None and "without context" not in decoder.describe()
    assert decoder.ranker.kind_shift.tolist() == pytest.approx([shift.get(k, 0.0) for k in KINDS])  # 0: unseen kind
    result = explain("I 🐝lieve it", "en", Lexicon.load(), decoder)
    assert result.emojis[0].readings

    unbound = Decoder.load(out)  # no predictor: same ranker, context columns left out
    assert unbound.context is None and "no emoji predictor" in unbound.describe()
    assert explain("I 🐝lieve it", "en", Lexicon.load(), unbound).emojis[0].readings

    # the out-of-sample check: estimated on each half of the development cases, scored on the other
    from training.explain import kind_prior

    check = ["--checkpoint", str(tmp_path / "ranker.pt"), "--decoder", str(out), "--predictor", str(tiny_model)]
    kind_prior.main([*check, "--l2", "0.001"])
    lines = [line for line in capsys.readouterr().out.splitlines() if "estimated on" in line]
    assert len(lines) == 4 and sum("fitted, L2 0.001" in line for line in lines) == 2
    with pytest.raises(SystemExit):
        kind_prior.main([*check, "--split", "100000"])


def test_ranker_trains_without_context_keeps_its_best_epoch_and_drops_an_old_context_file(tmp_path, capsys):
    pytest.importorskip("torch")
    import re

    import torch

    from assistant.core.explain import Decoder
    from training.explain import export_ranker, train_ranker

    examples, out = _examples_and_table(tmp_path)
    (out / "context.npz").write_bytes(b"stale")
    train_ranker.main(["--examples", str(examples), "--table", str(out / "candidates.json.gz"), "--no-context",
                        "--epochs", "4", "--out", str(tmp_path / "ranker.pt")])
    log = capsys.readouterr().out
    per_epoch = [float(v) for v in re.findall(r"mean over kinds (\d\.\d+) \(", log)]
    assert len(per_epoch) == 4
    best = per_epoch.index(max(per_epoch)) + 1
    assert f"kept epoch {best} " in log
    assert torch.load(tmp_path / "ranker.pt", weights_only=False)["kept_epoch"] == best
    export_ranker.main(["--checkpoint", str(tmp_path / "ranker.pt"), "--out", str(out), "--kind-prior", ""])
    assert not (out / "context.npz").exists()
    decoder = Decoder.load(out)
    assert decoder.ranker.session is not None and "has no context model" in decoder.describe()
    assert "kind_prior" not in json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert not decoder.ranker.kind_shift.any()


@pytest.mark.parametrize("path", EVALUATION_CASES)
def test_hand_written_case_files_are_well_formed(path):
    cases = read_cases(ROOT / path)
    kinds = {"homophone", "rebus", "slang", "literal", "decorative"}
    groups = {"glued", "close_sound", "short_phrase"}  # the kinds of message the reader was extended for
    for case in cases:
        assert set(case) - {"group"} == {"text", "lang", "emoji", "kind", "answers"}, case
        assert case.get("group", "glued") in groups, case
        assert case["emoji"] in case["text"] and case["kind"] in kinds and case["answers"], case
        assert (case["answers"] == [""]) == (case["kind"] == "decorative"), case
    per_lang = Counter(case["lang"] for case in cases)
    assert all(per_lang[lang] >= 20 for lang in ("en", "es", "de", "fr", "ru", "zh")), per_lang
    per_group = Counter((case["lang"], case["group"]) for case in cases if "group" in case)
    assert all(per_group[lang, group] >= 2 for lang in ("en", "es", "de", "fr", "ru", "zh") for group in groups), per_group


def test_development_and_test_cases_do_not_share_a_message():
    texts = [{case["text"] for case in read_cases(ROOT / path)} for path in EVALUATION_CASES]
    assert not texts[0] & texts[1]


def test_downstream_pools_its_obfuscation_draws_and_credits_a_decoder_that_restores_words(tmp_path):
    from assistant.core.lexicon import Lexicon
    from tests.test_decoder import make_decoder
    from training.explain.evaluate_readings import DownstreamCheck

    tweets = [("we hold on together", 1), ("hold the line friends", 1), ("just hold on", 1), ("hold tight and smile", 1),
              ("i am dead tired", 0), ("feeling dead inside", 0), ("dead again today", 0), ("totally dead now", 0)]
    rows = [{"text": t, "label": y, "split": "train"} for t, y in tweets]
    rows += [{"text": t, "label": y, "split": "test"} for t, y in
             [("hold strong", 1), ("please hold", 1), ("so dead", 0), ("dead here", 0)]]
    path = tmp_path / "SS-Twitter.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    lexicon, check = Lexicon.load(), DownstreamCheck(path, TABLE, seeds=3)

    restores = check.score(make_decoder("slang"), lexicon)  # 💀 → dead, 💎🙌 → hold
    assert restores["seeds"] == 3 and len(restores["per_seed_shares"]) == 3 and restores["n_test"] == 4
    assert restores["clean"] == 1.0 and restores["obfuscated"] < 1.0
    assert restores["rewritten"] == 1.0 and restores["recovered_share"] == 1.0
    names = check.score(make_decoder("literal"), lexicon)  # 💀 → skull
    assert names["obfuscated"] == restores["obfuscated"] and names["recovered_share"] < 1.0


def test_synthetic_recovery_reports_split_puns_on_their_own(tmp_path):
    from assistant.core.lexicon import Lexicon
    from tests.test_decoder import make_decoder
    from training.explain.evaluate_readings import synthetic

    rows = [{"text": "I 🐝 leaf in you", "lang": "en", "split": "test",
             "targets": [{"offset": 2, "emoji": "🐝 leaf", "kind": "homophone", "answer": "believe"}]},
            {"text": "see you may 🐝", "lang": "en", "split": "test",
             "targets": [{"offset": 8, "emoji": "may 🐝", "kind": "homophone", "answer": "maybe"}]},
            {"text": "🐝lieve me", "lang": "en", "split": "test",
             "targets": [{"offset": 0, "emoji": "🐝lieve", "kind": "homophone", "answer": "be"}]},
            {"text": "I 🐝 leaf in you", "lang": "en", "split": "train", "targets": []}]
    path = tmp_path / "examples.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    report = synthetic(path, make_decoder("split"), Lexicon.load())
    assert report["homophone"]["n"] == 3 and report["homophone, written apart"] == {"n": 2, "top1": 1.0, "top3": 1.0}


def test_a_partial_measurement_keeps_the_figures_it_did_not_repeat_and_names_their_predictor():
    from training.explain.evaluate_readings import merged_metrics

    old = {"synthetic_test": {"all": {"top1": 0.5}}, "handwritten": {"all": {"top1": 0.7}},
           "measured_with": {"synthetic_test": "p 1.0", "handwritten": "p 1.0"}}
    merged = merged_metrics(old, {"handwritten": {"all": {"top1": 0.71}}}, "p 2.0")
    assert merged["synthetic_test"] == {"all": {"top1": 0.5}} and merged["handwritten"] == {"all": {"top1": 0.71}}
    assert merged["measured_with"] == {"synthetic_test": "p 1.0", "handwritten": "p 2.0"}
    first = merged_metrics({"synthetic_test": {}}, {"handwritten": {}}, "p 2.0")  # a manifest from before the record
    assert first["measured_with"] == {"synthetic_test": "", "handwritten": "p 2.0"}


def test_without_its_synthetic_messages_the_evaluation_says_how_to_go_on(tmp_path, capsys):
    from training.explain.evaluate_readings import main

    with pytest.raises(SystemExit):
        main(["--examples", str(tmp_path / "missing.jsonl")])
    assert "--skip-synthetic" in capsys.readouterr().err


def test_context_pairs_count_training_sentences_and_a_training_site_does_not_see_its_own(tmp_path):
    import math

    from assistant.core.explain import CandidateTable
    from training.explain.pairs import count_pairs, sentence_pairs
    from training.explain.train_ranker import WithoutOwnPairs

    rows = [{"source_text": "i believe in you", "lang": "en", "split": "train"},
            {"source_text": "we believe in magic", "lang": "en", "split": "train"},
            {"source_text": "i believe in you", "lang": "en", "split": "train"},  # a second message, same sentence
            {"source_text": "they believe it", "lang": "en", "split": "test"}]
    examples = tmp_path / "examples.jsonl"
    examples.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    pairs = count_pairs(str(examples), {"en": {"believe"}})["en"]
    assert pairs == {"i\tbelieve": 1, "believe\tin": 2, "we\tbelieve": 1}  # test sentences and repeats not counted

    table = CandidateTable({**TABLE, "context": {"en": pairs}})
    seen = WithoutOwnPairs(table, sentence_pairs("i believe in you", "en", {"believe"}))
    assert seen.context("i", "believe", "en") == 0.0  # counted from this sentence alone
    assert seen.context("believe", "in", "en") == pytest.approx(math.log1p(1))
    assert table.context("believe", "in", "en") == pytest.approx(math.log1p(2))
    assert seen.zipf("believe", "en") == table.zipf("believe", "en") == 5.0  # everything else unchanged


def test_the_training_modules_import_each_other_one_way():
    import ast

    package = ROOT / "training" / "explain"
    imports = {}
    for path in package.glob("*.py"):
        found = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                found |= {node.module.split(".")[0]} if node.module else {a.name for a in node.names}
        imports[path.stem] = found

    def reaches(start, goal, seen=()):
        return any(m == goal or (m not in seen and reaches(m, goal, (*seen, m))) for m in imports.get(start, ()))

    assert not [name for name in imports if reaches(name, name)]  # candidates ↔ split_puns ↔ synthesize once did
