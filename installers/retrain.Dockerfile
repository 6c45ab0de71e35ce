# The nightly retrain in a container: the train extras (CPU torch unless told otherwise), the source tree
# (training recipes and the feelings suites), and the volume the bots write their chat logs to.
#
#   docker build -f installers/retrain.Dockerfile -t emoji-assistant-retrain .
#   docker run --rm -v emoji-data:/data emoji-assistant-retrain          # one retrain; schedule it with cron
#   docker build -f installers/retrain.Dockerfile --build-arg TORCH_INDEX=https://download.pytorch.org/whl/cu124 \
#       -t emoji-assistant-retrain:cuda .                                # a CUDA build, run with --gpus all
#
# The volume is the bots' (installers/bots.Dockerfile): /data/chatlogs.db is read, the versioned model root
# /data/models/emoji-predictor is created with the shipped model on the first run and promoted into; run the
# bots with -e EMOJI_ASSISTANT_MODEL=/data/models/emoji-predictor so they follow it. Put training.prepare's
# examples.jsonl at /data/examples.jsonl (the base data mixed in), or add --log-share 1 to train on the logs alone.

FROM python:3.12-slim
ARG TORCH_INDEX=https://download.pytorch.org/whl/cpu
WORKDIR /app
COPY pyproject.toml README.md ./
COPY assistant assistant
COPY bots bots
COPY models models
COPY training training
COPY installers installers
RUN pip install --no-cache-dir torch --index-url "${TORCH_INDEX}" && pip install --no-cache-dir ".[train]" \
    && useradd --create-home --uid 10001 bot && mkdir /data && chown bot /data
USER bot
ENV EMOJI_ASSISTANT_DB=/data/chatlogs.db \
    PYTHONUNBUFFERED=1
VOLUME /data
ENTRYPOINT ["emoji-train", "retrain"]
CMD ["--logs", "/data/chatlogs.db", "--root", "/data/models/emoji-predictor", "--promote", \
     "--base-data", "/data/examples.jsonl", "--out", "/data/retrain", "--resume"]
