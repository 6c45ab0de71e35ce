"""The bots' model holder: the core's ModelHolder (assistant.core.holder), which the desktop helper and
the web demo use too. BotCore starts its watcher (every EMOJI_ASSISTANT_RELOAD_CHECK_S seconds) and
the admins' /reload calls its reload()."""
from assistant.core.holder import ModelHolder

__all__ = ["ModelHolder"]
