"""Chat adapters (Telegram, Discord) and the consented chat-log store. They call the Assistant API only."""
