"""The bots' few UI strings in English, Spanish, German and French; anything else falls back to English.

Emoji names in replies come from the lexicon in the message's language; only these
interface sentences need translating here.
"""
from __future__ import annotations

FALLBACK = "en"

STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "start": "Hi! Send me a message and I suggest emojis that fit it; send emojis and /explain tells "
                 "what they mean. Nothing you write is stored unless you /optin.",
        "help_telegram": "/emoji TEXT (or reply to a message): emojis that fit\n"
                         "/explain TEXT (or reply to a message): what its emojis mean\n"
                         "@{bot} TEXT in any chat: pick an emoji to send with your text\n"
                         "/optin, /optout: allow or stop storing your messages to improve the model\n"
                         "/mydata: get what is stored about you  /forget: delete all of it\n"
                         "/collect on|off (group admins): allow collection in this group",
        "help_discord": "/emoji and /explain; right-click a message → Apps → Explain emojis or Suggest "
                        "reactions. /optin, /optout, /mydata, /forget manage your data; server admins "
                        "use /collect to allow collection on the server.",
        "emoji_usage": "Write /emoji followed by a message, or reply to a message with /emoji.",
        "explain_usage": "Write /explain followed by a message with emojis, or reply to one with /explain.",
        "suggestions": "Emojis for this ({language}):",
        "no_suggestions": "I have no suggestions for an empty message.",
        "no_emojis": "That message has no emojis to explain.",
        "slow_down": "Too many requests; try again in a minute.",
        "error": "Sorry, something went wrong. Try again later.",
        "opted_in": "Thanks! From now on your messages to me and, where a group allows it, in groups are "
                    "stored (scrubbed of addresses, numbers and links) to improve suggestions. "
                    "/optout stops it, /mydata shows it, /forget deletes it. Kept {days} days at most.",
        "opted_out": "Stopped: nothing new is stored. What was stored stays until it expires or you /forget it.",
        "forgotten": "Deleted everything stored about you ({rows} entries). You are opted out.",
        "nothing_stored": "Nothing is stored about you.",
        "mydata_caption": "Everything stored about you.",
        "private_only": "Ask me in a private chat: this answer is personal.",
        "collection_disabled": "This bot is configured to store nothing, so there is nothing to opt into.",
        "collect_on": "Collection is on in this chat: messages of members who used /optin are stored.",
        "collect_off": "Collection is off in this chat: nothing is stored here.",
        "collect_usage": "Use /collect on or /collect off.",
        "admins_only": "Only chat admins can change this.",
        "bot_admins_only": "Only the bot's operators can do this.",
        "groups_only": "This switch is for groups; in a private chat, /optin and /optout decide.",
        "reloaded": "Model {name} {version} loaded.",
    },
    "es": {
        "start": "¡Hola! Envíame un mensaje y te sugiero emojis que encajen; envía emojis y /explain dice "
                 "qué significan. No guardo nada de lo que escribes salvo que uses /optin.",
        "emoji_usage": "Escribe /emoji seguido de un mensaje, o responde a un mensaje con /emoji.",
        "explain_usage": "Escribe /explain seguido de un mensaje con emojis, o responde a uno con /explain.",
        "suggestions": "Emojis para esto ({language}):",
        "no_suggestions": "No tengo sugerencias para un mensaje vacío.",
        "no_emojis": "Ese mensaje no tiene emojis que explicar.",
        "slow_down": "Demasiadas solicitudes; inténtalo de nuevo en un minuto.",
        "error": "Lo siento, algo salió mal. Inténtalo más tarde.",
        "opted_out": "Listo: no se guarda nada nuevo. Lo guardado se queda hasta que caduque o uses /forget.",
        "forgotten": "He borrado todo lo guardado sobre ti ({rows} entradas). Ya no participas.",
        "nothing_stored": "No hay nada guardado sobre ti.",
        "mydata_caption": "Todo lo guardado sobre ti.",
        "private_only": "Pregúntame en un chat privado: esta respuesta es personal.",
        "admins_only": "Solo los administradores del chat pueden cambiar esto.",
    },
    "de": {
        "start": "Hallo! Schick mir eine Nachricht und ich schlage passende Emojis vor; schick Emojis und "
                 "/explain sagt, was sie bedeuten. Gespeichert wird nur nach /optin.",
        "emoji_usage": "Schreib /emoji und eine Nachricht, oder antworte mit /emoji auf eine Nachricht.",
        "explain_usage": "Schreib /explain und eine Nachricht mit Emojis, oder antworte mit /explain darauf.",
        "suggestions": "Emojis dafür ({language}):",
        "no_suggestions": "Für eine leere Nachricht habe ich keine Vorschläge.",
        "no_emojis": "Diese Nachricht enthält keine Emojis.",
        "slow_down": "Zu viele Anfragen; versuch es in einer Minute wieder.",
        "error": "Entschuldigung, da ging etwas schief. Versuch es später noch einmal.",
        "opted_out": "Gestoppt: Neues wird nicht gespeichert. Gespeichertes bleibt, bis es abläuft "
                     "oder du /forget nutzt.",
        "forgotten": "Alles über dich Gespeicherte ist gelöscht ({rows} Einträge). Du nimmst nicht mehr teil.",
        "nothing_stored": "Über dich ist nichts gespeichert.",
        "mydata_caption": "Alles, was über dich gespeichert ist.",
        "private_only": "Frag mich im privaten Chat: Diese Antwort ist persönlich.",
        "admins_only": "Nur Admins des Chats können das ändern.",
    },
    "fr": {
        "start": "Salut ! Envoie-moi un message et je propose des emojis qui vont avec ; envoie des emojis et "
                 "/explain dit ce qu'ils veulent dire. Rien n'est conservé sans /optin.",
        "emoji_usage": "Écris /emoji suivi d'un message, ou réponds à un message avec /emoji.",
        "explain_usage": "Écris /explain suivi d'un message avec des emojis, ou réponds-y avec /explain.",
        "suggestions": "Emojis pour ceci ({language}) :",
        "no_suggestions": "Je n'ai pas de suggestion pour un message vide.",
        "no_emojis": "Ce message ne contient pas d'emoji.",
        "slow_down": "Trop de demandes ; réessaie dans une minute.",
        "error": "Désolé, une erreur s'est produite. Réessaie plus tard.",
        "opted_out": "Arrêté : rien de nouveau n'est conservé. Le reste expire ou disparaît avec /forget.",
        "forgotten": "Tout ce qui te concerne est supprimé ({rows} entrées). Tu ne participes plus.",
        "nothing_stored": "Rien n'est conservé à ton sujet.",
        "mydata_caption": "Tout ce qui est conservé à ton sujet.",
        "private_only": "Demande-moi en privé : cette réponse est personnelle.",
        "admins_only": "Seuls les admins du chat peuvent changer ça.",
    },
}


def ui_language(code: str | None) -> str:
    """A platform locale ("es-ES", "pt_BR", None) → a language STRINGS has, else English."""
    base = (code or "").replace("_", "-").split("-")[0].lower()
    return base if base in STRINGS else FALLBACK


def t(key: str, lang: str | None = None, **values) -> str:
    """The UI string `key` in `lang` (English where that language lacks it), filled with `values`."""
    table = STRINGS.get(ui_language(lang), STRINGS[FALLBACK])
    return table.get(key, STRINGS[FALLBACK][key]).format(**values)
