"""Carrier sentences for languages without a text corpus here (written for this purpose).

Short everyday messages; synthesize.py replaces some of their words with emojis. They are
the only source text for de, fr, ru and zh, so the synthetic data for those languages is
narrower than for en and es (tweets); the model card says so.
"""
from __future__ import annotations

CARRIERS: dict[str, list[str]] = {
    "en": [
        "I believe in you", "see you at the beach tomorrow", "good night and sweet dreams", "my dog ate my homework",
        "we need more coffee in the office", "this pizza is the best thing ever", "happy birthday to my sister",
        "I am so tired I could sleep for a week", "the sun is finally out", "let us go to the party tonight",
        "she bought a new car", "can you bring the cake", "I love this song so much", "my heart is broken",
        "that movie was fire", "the cat is sleeping on my bed", "time to hit the gym", "we won the game",
        "going home now", "thank you for the flowers", "I need money for the bus", "the baby is so cute",
        "do you want some tea", "rain again today", "the stock is going to the moon",
    ],
    "es": [
        "buenas noches a todos", "te quiero mucho", "vamos a la playa mañana", "feliz cumpleaños amiga",
        "tengo mucho sueño", "me encanta el café por la mañana", "mi perro es el mejor", "hace mucho calor hoy",
        "nos vemos en la fiesta", "el partido fue increíble", "compré un coche nuevo", "quiero pizza para cenar",
        "estoy en casa", "gracias por las flores", "la luna está preciosa esta noche", "el gato duerme en mi cama",
        "necesito dinero para el viaje", "qué frío hace", "mi corazón está roto", "vamos al cine",
    ],
    "de": [
        "Gute Nacht und schlaf gut", "ich liebe dich", "wir fahren morgen ans Meer", "alles Gute zum Geburtstag",
        "ich bin so müde", "der Kaffee ist fertig", "mein Hund schläft auf dem Sofa", "heute ist es sehr heiß",
        "wir sehen uns auf der Party", "das Spiel war großartig", "ich habe ein neues Auto", "ich will Pizza essen",
        "ich bin zu Hause", "danke für die Blumen", "der Mond ist heute so schön", "die Katze liegt im Bett",
        "ich brauche Geld für die Reise", "es regnet schon wieder", "mein Herz ist gebrochen", "gehen wir ins Kino",
        "das Bier ist kalt", "die Sonne scheint endlich", "viel Glück bei der Prüfung", "ich trinke gern Tee",
    ],
    "fr": [
        "bonne nuit et fais de beaux rêves", "je t'aime", "on va à la plage demain", "joyeux anniversaire mon ami",
        "je suis tellement fatigué", "le café est prêt", "mon chien dort sur le canapé", "il fait très chaud",
        "on se voit à la fête", "le match était génial", "j'ai une nouvelle voiture", "je veux une pizza",
        "je suis à la maison", "merci pour les fleurs", "la lune est belle ce soir", "le chat dort dans le lit",
        "j'ai besoin d'argent pour le voyage", "il pleut encore", "mon cœur est brisé", "on va au cinéma",
        "la bière est fraîche", "le soleil brille enfin", "bonne chance pour l'examen", "je bois du thé",
    ],
    "ru": [
        "спокойной ночи и сладких снов", "я тебя люблю", "завтра едем на море", "с днём рождения друг",
        "я так устал", "кофе готов", "моя собака спит на диване", "сегодня очень жарко",
        "увидимся на вечеринке", "матч был отличный", "у меня новая машина", "хочу пиццу",
        "я дома", "спасибо за цветы", "луна сегодня красивая", "кошка спит на кровати",
        "нужны деньги на поездку", "опять идёт дождь", "моё сердце разбито", "пойдём в кино",
        "пиво холодное", "солнце наконец светит", "удачи на экзамене", "я пью чай",
    ],
    "zh": [
        "晚安做个好梦", "我爱你", "明天我们去海边", "祝你生日快乐", "我好累啊", "咖啡好了", "我的狗在沙发上睡觉",
        "今天太热了", "派对上见", "比赛太精彩了", "我买了新车", "我想吃披萨", "我在家", "谢谢你的花",
        "今晚的月亮很美", "猫在床上睡觉", "旅行需要钱", "又下雨了", "我的心碎了", "我们去看电影吧",
        "最近压力好大", "啤酒很冰", "太阳终于出来了", "考试加油", "我喝茶",
    ],
}


# Frames with one slot, filled with frequent words that an emoji can stand for (templated()).
FRAMES: dict[str, list[str]] = {
    "en": ["I really like {}", "where is the {}", "the {} is great", "no {} today", "we talked about {} all day",
           "look at this {}", "I miss the {}", "more {} please"],
    "es": ["me gusta {}", "dónde está {}", "hoy {} otra vez", "sin {} no vivo", "mira esto {}", "hablamos de {}",
           "quiero más {}", "qué {} tan bonito"],
    "de": ["ich mag {}", "wo ist {}", "heute wieder {}", "ohne {} geht nichts", "schau mal {}",
           "wir reden über {}", "noch mehr {} bitte", "so ein schönes {}"],
    "fr": ["j'aime {}", "où est {}", "encore {} aujourd'hui", "sans {} rien ne va", "regarde ce {}",
           "on parle de {}", "encore plus de {}", "quel beau {}"],
    "ru": ["я люблю {}", "где {}", "сегодня опять {}", "без {} никак", "смотри {}", "мы говорили про {}",
           "ещё {} пожалуйста", "какой красивый {}"],
    "zh": ["我喜欢{}", "{}在哪里", "今天又是{}", "没有{}不行", "你看{}", "我们聊了{}", "再来点{}", "好漂亮的{}"],
}


def templated(lang: str, words: list[str], n: int, seed: int = 13) -> list[str]:
    """`n` sentences: a frame of `lang` with one of `words` in its slot (deterministic)."""
    import random

    rng = random.Random(seed)
    frames = FRAMES.get(lang, [])
    if not frames or not words:
        return []
    return list(dict.fromkeys(rng.choice(frames).format(rng.choice(words)) for _ in range(n)))
