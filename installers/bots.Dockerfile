# The Telegram and Discord bots in one small image: onnxruntime and the int8 model, no torch.
#
#   docker build -f installers/bots.Dockerfile -t emoji-assistant-bots .
#   docker volume create emoji-data
#   docker run -d --name emoji-telegram --restart unless-stopped \
#       -e TELEGRAM_BOT_TOKEN=123456:ABC... -v emoji-data:/data emoji-assistant-bots
#   docker run -d --name emoji-discord --restart unless-stopped \
#       -e DISCORD_BOT_TOKEN=... -v emoji-data:/data emoji-assistant-bots emoji-assistant-discord
#
# Both containers may share the volume: the chat-log store is made for concurrent writers.
# Another model: -v /path/to/models:/models:ro -e EMOJI_ASSISTANT_MODEL=/models/<name>
# (a new manifest.json there is picked up without a restart).
# Webhook instead of polling: -e TELEGRAM_WEBHOOK_URL=https://host/path -p 8443:8443 behind TLS.

FROM python:3.12-slim AS build
WORKDIR /src
# training/ is only copied because the package list names it; its heavy dependencies are not installed.
COPY pyproject.toml README.md ./
COPY assistant assistant
COPY bots bots
COPY models models
COPY training training
RUN pip wheel --no-cache-dir --wheel-dir /wheels ".[telegram,discord]" "python-telegram-bot[webhooks]>=22,<23"

FROM python:3.12-slim
RUN useradd --create-home --uid 10001 bot && mkdir /data && chown bot /data
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir --no-index --find-links /wheels /wheels/*.whl && rm -rf /wheels \
    && python -c "import importlib.util, sys; sys.exit(importlib.util.find_spec('torch') is not None)"
USER bot
ENV EMOJI_ASSISTANT_DB=/data/chatlogs.db \
    PYTHONUNBUFFERED=1
VOLUME /data
EXPOSE 8443
CMD ["emoji-assistant-telegram"]
