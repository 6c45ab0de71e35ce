import pytest

from bots.scrub import scrub


@pytest.mark.parametrize("text, expected", [
    ("Mail me at jane.doe+work@example.co.uk 😊", "Mail me at <email> 😊"),
    ("我的邮箱是wang@163.com 谢谢🙏", "我的邮箱是<email> 谢谢🙏"),
    ("call me on +49 170 1234567 tonight 📞", "call me on <phone> tonight 📞"),
    ("Позвони мне 8 (916) 123-45-67 🙏", "Позвони мне <phone> 🙏"),
    ("my number is (555) 123-4567!", "my number is <phone>!"),
    ("llámame al 612 34 56 78 porfa", "llámame al <phone> porfa"),
    ("card 4111 1111 1111 1111 exp 12/27", "card <number> exp 12/27"),
    ("look https://example.com/a?b=c&d=e 🔥", "look <url> 🔥"),
    ("join t.me/joinchat/AbCdEf or discord.gg/xyz", "join <url> or <url>"),
    ("www.foo.org and google.com", "<url> and <url>"),
    ("@alice_99 that was hilarious 😂", "@user that was hilarious 😂"),
    ("gracias @maría ❤️", "gracias @user ❤️"),
    ("<@123456789012345678> see <#987654321098765432> and <@&55>", "@user see @user and @user"),
])
def test_personal_data_is_replaced(text, expected):
    assert scrub(text) == expected


@pytest.mark.parametrize("text", [
    "see you at 10:30 on 23.11.2026 🎉",
    "deadline 2026-11-23",
    "I have 3 cats and 2 dogs 🐈",
    "final score 3-1 in 2024 ⚽",
    "Gute Nacht 🌙",
    "e.g. this, i.e. that",
    "我爱你 ❤️",
])
def test_ordinary_text_is_kept(text):
    assert scrub(text) == text


def test_scrubbed_text_keeps_no_trace_of_the_data():
    text = "Hi I'm Ana, ana.perez@gmail.com, +34 612 345 678, https://ana.example/me, @ana_p 🎂"
    clean = scrub(text)
    for secret in ("ana.perez", "gmail", "612", "345", "ana.example", "@ana_p"):
        assert secret not in clean
    assert clean.endswith("🎂")
