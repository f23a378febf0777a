"""Every message the UI can show has a Simplified Chinese translation; English is the msgid itself."""

import subprocess
import sys

from config import BASE_DIR


def test_every_message_has_a_chinese_translation():
    result = subprocess.run(
        [sys.executable, str(BASE_DIR / "scripts" / "i18n.py"), "check"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout[-4000:]


def test_pages_switch_language(client):
    assert "信用查询" in client.get("/").get_data(as_text=True) or "单位注册" in client.get("/").get_data(as_text=True)
    client.get("/language/en")
    english = client.get("/").get_data(as_text=True)
    assert "Register an organisation" in english and 'lang="en"' in english
