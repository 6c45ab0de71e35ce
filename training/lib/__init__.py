"""What the pipeline steps share: the model and its training, the corpora, the export transforms,
and the files a model folder carries besides its weights. Nothing here is a step; nothing here
imports one (an import contract in pyproject.toml checks it).

    defaults.py         default paths of every step (build/run, models/emoji-predictor, ../shared/data, …)
    train_config.py     TrainConfig: every knob of a training run, checked on construction
    model.py            the emoji predictor: encoder, mean pooling, linear head and its optional correction over a few
                        views of the token states (LoRA, chain-thaw)
    loop.py             the fine-tuning loop of training.train and training.retrain (DDP, checkpoints, resume)
    losses.py           plain, class-weighted and focal cross-entropy
    sources.py          readers of the raw corpora → Examples with weighted emoji targets
    emotion_table.py    emotion labels → weighted emojis, and its check against the Emoji Sentiment Ranking
    calibrate.py        logit adjustment and softmax temperature, fitted on validation
    prune_vocab.py      the 250k-piece vocabulary → a budget of pieces
    quantize.py         fp32 ONNX → int8 ONNX, and their parity
    head.py             an exported model's head: the correction's views, pooled features, the encoder's fingerprint,
                        a head swapped in
    dequantize.py       a shipped int8 model folder → the torch EmojiClassifier again (quantize.py inverted)
    chat_logs.py        the bots' consented chat logs as a retrain reads them: snapshot, split by user, hash
    label_growth.py     new head rows for emojis the logs made frequent, started from their CLDR names
    manifest_writer.py  models/<name>/manifest.json, the command line that made it, metric updates
    model_card.py       manifest.json → MODEL_CARD.md
    plots.py            evaluation figures (confusion, reliability, emoji similarity; the gate's per-class F1, labels)
"""
